/* sim_error: the GError domain shared by every layer. */
#include "sim/sim_error.h"

G_DEFINE_QUARK(slacksim-error-quark, sim_error)
