/*
 * start_driver.c - bench/start.sh's timer: how long each of several
 * commands takes from fork to reaped, interleaved and paired.
 *
 *   start_driver REPS LABEL CMD [ARGS...] ; LABEL CMD [ARGS...] ; ...
 *
 * The first command is the baseline ("bare"). Each of REPS rounds runs
 * every command once, in an order rotated from round to round, so that
 * every variant meets the same load drifts; each run's wall time is
 * CLOCK_MONOTONIC from just before fork to just after waitpid (stdin,
 * stdout and stderr on /dev/null). A run that exits non-zero is counted
 * as failed and left out of the figures.
 *
 * Prints, per variant: the median, the quartiles, the median of the
 * paired differences to the baseline of the same round (the fixed cost:
 * what the variant adds to the bare command, with the load of that
 * round on both sides), and the ratio of the medians. The paired
 * difference is the figure to compare: the median of two medians also
 * carries the drift of the load between runs. Also one line per run
 * on the file $START_RESULTS when set.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VARIANTS 8

struct variant {
	const char *label;
	char **argv;
	double *ms;		/* per round; < 0: failed */
	int failed;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One run; its wall time in ms, or -1 when it did not exit 0. */
static double run_once(char **argv)
{
	double t0 = now_ms();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	double t = now_ms() - t0;

	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of the n values of v (sorted in place). */
static double quantile(double *v, int n, double q)
{
	if (n == 0)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	double pos = q * (n - 1);
	int lo = (int)pos;

	return lo + 1 < n ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

int main(int argc, char **argv)
{
	struct variant var[MAX_VARIANTS];
	int nvar = 0, reps;

	if (argc < 4 || (reps = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: start_driver REPS LABEL CMD [ARGS...] [; LABEL CMD ...]\n");
		return 2;
	}
	for (int i = 2; i < argc; ) {
		if (nvar == MAX_VARIANTS || i + 1 >= argc) {
			fprintf(stderr, "start_driver: at most %d variants, each a label and a command\n",
				MAX_VARIANTS);
			return 2;
		}
		var[nvar].label = argv[i];
		var[nvar].argv = &argv[i + 1];
		var[nvar].failed = 0;
		var[nvar].ms = calloc((size_t)reps, sizeof(double));
		if (!var[nvar].ms)
			return 1;
		int j = i + 1;

		while (j < argc && strcmp(argv[j], ";") != 0)
			j++;
		if (j < argc)
			argv[j++] = NULL;	/* ends this command's argv */
		nvar++;
		i = j;
	}

	const char *results = getenv("START_RESULTS");
	FILE *rf = results && *results ? fopen(results, "w") : NULL;

	for (int r = 0; r < reps; r++) {
		for (int k = 0; k < nvar; k++) {
			struct variant *v = &var[(k + r) % nvar];

			v->ms[r] = run_once(v->argv);
			if (v->ms[r] < 0)
				v->failed++;
			if (rf)
				fprintf(rf, "round=%d variant=%s ms=%.3f\n", r, v->label, v->ms[r]);
		}
	}
	if (rf)
		fclose(rf);

	double *tmp = calloc((size_t)reps, sizeof(double));
	double bare_med;
	int n;

	if (!tmp)
		return 1;
	n = 0;
	for (int r = 0; r < reps; r++)
		if (var[0].ms[r] >= 0)
			tmp[n++] = var[0].ms[r];
	bare_med = quantile(tmp, n, 0.5);

	printf("%-34s %6s %9s %9s %9s %13s %8s\n", "variant", "runs", "median", "q1", "q3",
	       "over bare", "ratio");
	for (int k = 0; k < nvar; k++) {
		struct variant *v = &var[k];
		double med, q1, q3, diff;

		n = 0;
		for (int r = 0; r < reps; r++)
			if (v->ms[r] >= 0)
				tmp[n++] = v->ms[r];
		q1 = quantile(tmp, n, 0.25);
		q3 = quantile(tmp, n, 0.75);
		med = quantile(tmp, n, 0.5);
		int ok = n;

		n = 0;
		for (int r = 0; r < reps; r++)
			if (v->ms[r] >= 0 && var[0].ms[r] >= 0)
				tmp[n++] = v->ms[r] - var[0].ms[r];
		diff = quantile(tmp, n, 0.5);
		printf("%-34s %6d %6.2f ms %6.2f ms %6.2f ms %+10.2f ms %7.2fx", v->label, ok, med, q1,
		       q3, k == 0 ? 0.0 : diff, bare_med > 0 ? med / bare_med : 0.0);
		if (v->failed)
			printf("  (%d failed)", v->failed);
		printf("\n");
	}
	free(tmp);
	for (int k = 0; k < nvar; k++)
		free(var[k].ms);
	return 0;
}
