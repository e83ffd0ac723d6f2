/*
 * test_cycle.c - the wait-for graph's cycle finder (waitgraph.c): which
 * cycle it reports, that it reports none where there is none, and that
 * it scales (no recursion, no fixed tables).
 */
#include "testutil.h"

#include "internal.h"

struct fixture {
	struct hx_waitgraph g;
	int *cycle;
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	hx_waitgraph_init(&f->g);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hx_waitgraph_release(&f->g);
	free(f->cycle);
	free(f);
	return 0;
}

/* Nodes with ids 10, 20, ... (node i has id 10 * (i + 1)). */
static void nodes(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(hx_waitgraph_add_node(&f->g, 10 * (i + 1)), i);
}

static void edge(struct fixture *f, size_t from, size_t to)
{
	assert_int_equal(hx_waitgraph_add_edge(&f->g, from, to), 0);
}

static void find(struct fixture *f)
{
	assert_int_equal(hx_waitgraph_find_cycle(&f->g, &f->cycle, &f->len), 0);
}

static void expect_cycle(struct fixture *f, const int *ids, size_t n)
{
	find(f);
	assert_non_null(f->cycle);
	assert_int_equal(f->len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(f->cycle[i], ids[i]);
}

static void expect_none(struct fixture *f)
{
	find(f);
	assert_null(f->cycle);
	assert_int_equal(f->len, 0);
}

static void test_cycle_none_in_an_empty_graph(void **state)
{
	struct fixture *f = *state;

	expect_none(f);
	nodes(f, 3);
	expect_none(f);
}

static void test_cycle_two_processes_waiting_for_each_other(void **state)
{
	struct fixture *f = *state;

	nodes(f, 2);
	edge(f, 0, 1);
	edge(f, 1, 0);
	expect_cycle(f, (int[]){ 10, 20 }, 2);
}

static void test_cycle_of_one_process_waiting_for_itself(void **state)
{
	struct fixture *f = *state;

	/* A process reading a pipe whose write end it holds itself. */
	nodes(f, 2);
	edge(f, 0, 1);
	edge(f, 1, 1);
	expect_cycle(f, (int[]){ 20 }, 1);
}

static void test_cycle_starts_where_the_path_comes_back(void **state)
{
	struct fixture *f = *state;

	/* 10 -> 20 -> 30 -> 40 -> 20: the cycle is 20 30 40, not from 10. */
	nodes(f, 4);
	edge(f, 0, 1);
	edge(f, 1, 2);
	edge(f, 2, 3);
	edge(f, 3, 1);
	expect_cycle(f, (int[]){ 20, 30, 40 }, 3);
}

static void test_cycle_none_in_a_diamond(void **state)
{
	struct fixture *f = *state;

	/* Two paths to the same node are no cycle. */
	nodes(f, 4);
	edge(f, 0, 1);
	edge(f, 0, 2);
	edge(f, 1, 3);
	edge(f, 2, 3);
	edge(f, 0, 3);
	edge(f, 0, 1);		/* an edge twice changes nothing */
	expect_none(f);
}

static void test_cycle_the_first_met_in_node_and_edge_order(void **state)
{
	struct fixture *f = *state;

	/* Two cycles: 30 <-> 40 and 10 -> 20 -> 10. The search starts at
	 * node 0 and finds 10 20 first; from 30 it would find 30 40. */
	nodes(f, 4);
	edge(f, 2, 3);
	edge(f, 3, 2);
	edge(f, 0, 1);
	edge(f, 1, 0);
	expect_cycle(f, (int[]){ 10, 20 }, 2);
	free(f->cycle);
	f->cycle = NULL;
	/* Edge order: from 10 the first edge followed leads to 30's cycle. */
	hx_waitgraph_release(&f->g);
	nodes(f, 4);
	edge(f, 0, 2);
	edge(f, 0, 1);
	edge(f, 1, 0);
	edge(f, 2, 3);
	edge(f, 3, 2);
	expect_cycle(f, (int[]){ 30, 40 }, 2);
}

static void test_cycle_found_beyond_a_node_already_explored(void **state)
{
	struct fixture *f = *state;

	/* 10 -> 20 (a dead end), then 30 -> 20 and 30 -> 40 -> 30. */
	nodes(f, 4);
	edge(f, 0, 1);
	edge(f, 2, 1);
	edge(f, 2, 3);
	edge(f, 3, 2);
	expect_cycle(f, (int[]){ 30, 40 }, 2);
}

static void test_cycle_rejects_edges_to_unknown_nodes(void **state)
{
	struct fixture *f = *state;

	nodes(f, 2);
	assert_int_equal(hx_waitgraph_add_edge(&f->g, 0, 2), -EINVAL);
	assert_int_equal(hx_waitgraph_add_edge(&f->g, 5, 0), -EINVAL);
	expect_none(f);
}

static void test_cycle_through_thousands_of_processes(void **state)
{
	struct fixture *f = *state;
	const int n = 20000;

	/* A chain 0 -> 1 -> ... -> n-1, closed by n-1 -> 0: deep enough to
	 * overflow a recursive search's stack frames many times over. */
	for (int i = 0; i < n; i++)
		assert_int_equal(hx_waitgraph_add_node(&f->g, i + 1), i);
	for (int i = 0; i + 1 < n; i++)
		edge(f, (size_t)i, (size_t)i + 1);
	expect_none(f);
	edge(f, (size_t)n - 1, 0);
	find(f);
	assert_int_equal(f->len, (size_t)n);
	for (int i = 0; i < n; i++)
		assert_int_equal(f->cycle[i], i + 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_cycle_none_in_an_empty_graph),
		T(test_cycle_two_processes_waiting_for_each_other),
		T(test_cycle_of_one_process_waiting_for_itself),
		T(test_cycle_starts_where_the_path_comes_back),
		T(test_cycle_none_in_a_diamond),
		T(test_cycle_the_first_met_in_node_and_edge_order),
		T(test_cycle_found_beyond_a_node_already_explored),
		T(test_cycle_rejects_edges_to_unknown_nodes),
		T(test_cycle_through_thousands_of_processes),
	};

	return cmocka_run_group_tests_name("cycle", tests, NULL, NULL);
}
