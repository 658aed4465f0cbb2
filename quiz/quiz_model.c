/* quiz_model: the one place the quiz touches the Slack model. Numeric
 * questions are answered by running their scenario through
 * slack_model_run_file; keeping the call in its own object file means the
 * quiz engine (quiz_bank.c, quiz_session.c) and its unit tests link
 * without the model, and only programs that pass quiz_model_evaluator pull it in. */
#include "quiz/quiz.h"
#include "models/slack_model.h"

cJSON *quiz_model_evaluator(const char *scenario_path, const char *const *sets,
                            uint64_t seed, void *user, GError **error)
{
    (void)user;
    return slack_model_run_file(scenario_path, sets, seed, error);
}
