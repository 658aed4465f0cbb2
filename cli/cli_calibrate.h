/* `slacksim calibrate`: measures a real Redis or PostgreSQL (cli/cli_calibrate.c). */
#ifndef CLI_CALIBRATE_H
#define CLI_CALIBRATE_H
int cli_calibrate_main(int argc, char **argv);
#endif
