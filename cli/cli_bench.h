/* Benchmarks behind `slacksim bench`; one file each. */
#ifndef CLI_BENCH_H
#define CLI_BENCH_H
int cli_bench_engine_main(int argc, char **argv);  /* cli/bench_engine.c */
int cli_bench_mm1_main(int argc, char **argv);     /* cli/bench_mm1.c */
int cli_bench_peak_main(int argc, char **argv);    /* cli/bench_peak.c */
#endif
