/*
 * waitgraph.c - a wait-for graph and its cycle finder, pure functions
 * over memory (deadlock.c fills the graph from /proc).
 *
 * A node is a blocked process (its id is a box pid); an edge u -> v says
 * u waits for something only v could do (write to a pipe, post a
 * semaphore, exit). A cycle of such edges is a deadlock among its
 * processes. The finder is a depth-first search with three colours, from
 * each node in the order they were added, following edges in the order
 * they were added, so the cycle it reports is the first one met that
 * way; each node and edge is looked at once, however large the graph.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct hx_wait_node {
	int id;
	size_t *to;		/* node indexes */
	size_t nto, cto;
};

void hx_waitgraph_init(struct hx_waitgraph *g)
{
	memset(g, 0, sizeof(*g));
}

void hx_waitgraph_release(struct hx_waitgraph *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->nodes[i].to);
	free(g->nodes);
	hx_waitgraph_init(g);
}

int hx_waitgraph_add_node(struct hx_waitgraph *g, int id)
{
	struct hx_wait_node *arr = hx_grow(g->nodes, &g->cap, g->n + 1, sizeof(*arr));

	if (!arr)
		return -ENOMEM;
	g->nodes = arr;
	memset(&g->nodes[g->n], 0, sizeof(g->nodes[0]));
	g->nodes[g->n].id = id;
	return (int)g->n++;
}

int hx_waitgraph_add_edge(struct hx_waitgraph *g, size_t from, size_t to)
{
	if (from >= g->n || to >= g->n)
		return -EINVAL;
	struct hx_wait_node *u = &g->nodes[from];
	size_t *arr = hx_grow(u->to, &u->cto, u->nto + 1, sizeof(*arr));

	if (!arr)
		return -ENOMEM;
	u->to = arr;
	u->to[u->nto++] = to;
	return 0;
}

enum colour { WHITE = 0, GREY, BLACK };

struct frame {
	size_t node;
	size_t next;		/* index of the next edge to follow */
};

int hx_waitgraph_find_cycle(const struct hx_waitgraph *g, int **cycle, size_t *len)
{
	unsigned char *colour = calloc(g->n ? g->n : 1, 1);
	size_t *depth_of = calloc(g->n ? g->n : 1, sizeof(*depth_of));	/* of a grey node */
	struct frame *stack = calloc(g->n ? g->n : 1, sizeof(*stack));
	int rc = 0;

	*cycle = NULL;
	*len = 0;
	if (!colour || !depth_of || !stack) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t start = 0; start < g->n && !*cycle; start++) {
		size_t depth = 0;

		if (colour[start] != WHITE)
			continue;
		colour[start] = GREY;
		depth_of[start] = 0;
		stack[depth++] = (struct frame){ .node = start };
		while (depth > 0 && !*cycle) {
			struct frame *f = &stack[depth - 1];
			const struct hx_wait_node *u = &g->nodes[f->node];

			if (f->next == u->nto) {
				colour[f->node] = BLACK;	/* no cycle through it */
				depth--;
				continue;
			}
			size_t v = u->to[f->next++];

			if (colour[v] == WHITE) {
				colour[v] = GREY;
				depth_of[v] = depth;
				stack[depth++] = (struct frame){ .node = v };
			} else if (colour[v] == GREY) {
				/* Back to a node on the path: the path from it is a cycle. */
				size_t n = depth - depth_of[v];

				*cycle = malloc(n * sizeof(**cycle));
				if (!*cycle) {
					rc = -ENOMEM;
					goto out;
				}
				for (size_t k = 0; k < n; k++)
					(*cycle)[k] = g->nodes[stack[depth_of[v] + k].node].id;
				*len = n;
			}
		}
	}
out:
	free(colour);
	free(depth_of);
	free(stack);
	return rc;
}
