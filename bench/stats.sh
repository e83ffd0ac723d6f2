# bench/stats.sh - the statistics the benchmarks share (sourced by
# bench/trace.sh and bench/procs.sh): medians, paired ratios, their noise.
# Values are passed as one space-separated string.

# stats "v1 v2 ..." -> "median min max count"
stats() {
	tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - - 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.1f %.1f %.1f %d\n", m, v[1], v[NR], NR
		}'
}
median() { stats "$1" | cut -d' ' -f1; }
# median of "v1 v2 ..." with more decimals (ratios)
median4() {
	tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '
		{ v[NR] = $1 }
		END { if (NR == 0) print "-"; else printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
calc() { awk -v a="$2" -v b="$3" "BEGIN { if (a == \"-\" || b == \"-\" || a == \"\" || b == \"\" || b == 0) print \"-\"; else printf \"$1\", $4 }"; }
# noise "r1 r2 ...": the standard error of the median of the paired ratios,
# in per cent (1.25 sd(log r) / sqrt(n)); "-" with fewer than 3
noise() {
	tr ' ' '\n' <<<"$1" | grep -v '^$' | awk '
		{ l = log($1); s += l; q += l * l; n++ }
		END {
			if (n < 3) { print "-"; exit }
			sd = sqrt((q - s * s / n) / (n - 1))
			printf "%.0f\n", 100 * 1.25 * sd / sqrt(n)
		}'
}
uniq_words() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -u | paste -sd/ -; }
# elapsed_ms T0 T1: milliseconds between two $EPOCHREALTIME readings
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) * 1000 }'; }
