package dev.tollgate.metrics;

/**
 * Every meter name and tag key, in one place. Shared concepts use the OpenTelemetry GenAI semantic conventions
 * (dots become underscores in Prometheus); the rest are {@code tollgate.*}. No tag holds an unbounded value (no
 * user or request id, no secret): model, deployment, team and key names come from config (keys also from the admin
 * API, by name, and only while {@code metrics.per_key_labels} is on), the rest from closed sets. docs/operations.md
 * lists every meter as scraped.
 */
final class MeterNames {
    static final String REQUESTS = "tollgate.requests";
    static final String REQUEST_DURATION = "gen_ai.client.operation.duration";
    static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";
    static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    static final String TIME_PER_OUTPUT_TOKEN = "gen_ai.server.time_per_output_token";
    static final String OVERHEAD = "tollgate.overhead";
    static final String UPSTREAM_DURATION = "tollgate.upstream.duration";
    static final String INFLIGHT_REQUESTS = "tollgate.inflight.requests";
    static final String INFLIGHT_STREAMS = "tollgate.inflight.streams";
    static final String TOKENS = "tollgate.tokens";
    static final String KEY_REQUESTS = "tollgate.key.requests";
    static final String KEY_COST = "tollgate.key.cost";
    static final String BUDGET_REMAINING = "tollgate.budget.remaining";
    static final String LEDGER_QUEUE = "tollgate.ledger.queue";
    static final String NETTY_ALLOCATOR_USED = "tollgate.netty.allocator.used";
    static final String EVENT_LOOP_PENDING_TASKS = "tollgate.event.loop.pending.tasks";

    static final String ROUTE = "route";
    static final String MODEL = "gen_ai.request.model";
    static final String RESPONSE_MODEL = "gen_ai.response.model";
    static final String OPERATION = "gen_ai.operation.name";
    static final String DEPLOYMENT = "deployment";
    static final String PROVIDER = "gen_ai.provider.name";
    static final String STATUS = "status";
    static final String OUTCOME = "outcome";
    static final String ERROR_TYPE = "error.type";
    static final String STREAM = "stream";
    static final String TOKEN_TYPE = "gen_ai.token.type";

    /** Tag value for a dimension that does not apply (no model on a 404, no error on success). */
    static final String NONE = "none";
    static final String COST = "tollgate.cost";
    static final String QUOTA_DENIED = "tollgate.quota.denied";
    static final String BUDGET_ALERTS = "tollgate.budget.alerts";
    static final String LEDGER_ROWS = "tollgate.ledger.rows";
    static final String LEDGER_UP = "tollgate.ledger.up";
    static final String BUDGET_SPENT = "tollgate.budget.spent";
    static final String BUDGET_LIMIT = "tollgate.budget.limit";
    static final String UPSTREAM_ATTEMPTS = "tollgate.upstream.attempts";
    static final String DEPLOYMENT_STATE = "tollgate.deployment.state";
    static final String ROUTED = "tollgate.routed.requests";
    static final String CACHE_REQUESTS = "tollgate.cache.requests";
    static final String CACHE_SAVED = "tollgate.cache.saved";
    static final String CACHE_ENTRIES = "tollgate.cache.entries";
    static final String CACHE_SIZE = "tollgate.cache.size";
    static final String CACHE_EVICTIONS = "tollgate.cache.evictions";
    static final String CONFIG_RELOADS = "tollgate.config.reloads";
    static final String CONFIG_VERSION = "tollgate.config.version";
    static final String CONFIG_RESTART_PENDING = "tollgate.config.restart.pending";
    static final String TIER = "tier";
    static final String VARIANT = "variant";
    static final String TEAM = "team";
    static final String SCOPE = "scope";
    static final String DIMENSION = "dimension";
    static final String THRESHOLD = "threshold";
    static final String STATE = "state";
    static final String RESULT = "result";
    static final String NEXT = "next";
    static final String KEY = "key";
    static final String TYPE = "type";
    static final String MEMORY = "memory";
    static final String FEEDBACK_SCORE = "tollgate.feedback.score";
    static final String REVIEW_SAMPLES = "tollgate.review.samples";
    static final String TRACE_SPANS = "tollgate.trace.spans";
    static final String PROMPT_REQUESTS = "tollgate.prompt.requests";
    static final String PROMPT_TOKENS = "tollgate.prompt.tokens";
    static final String PROMPT_COST = "tollgate.prompt.cost";
    static final String PROMPT_DURATION = "tollgate.prompt.duration";
    static final String GUARDRAIL_CHECKS = "tollgate.guardrail.checks";
    static final String GUARDRAIL_DURATION = "tollgate.guardrail.duration";
    static final String GUARDRAIL = "guardrail";
    static final String STAGE = "stage";
    static final String PROMPT = "prompt";
    static final String PROMPT_VERSION = "prompt_version";
    static final String EXPERIMENT = "experiment";
    static final String EVALUATIONS = "tollgate.evaluations";
    static final String EVALUATION_SCORE = "tollgate.evaluation.score";
    static final String EVALUATION_FLAGGED = "tollgate.evaluation.flagged";
    static final String EVALUATIONS_SKIPPED = "tollgate.evaluations.skipped";
    static final String EVALUATION_QUEUE = "tollgate.evaluation.queue.depth";
    static final String EVALUATION_COST = "tollgate.evaluation.cost";
    static final String BIAS_DIVERGENCE = "tollgate.evaluation.bias.divergence";
    static final String EVALUATOR = "evaluator";
    static final String RUBRIC = "rubric";
    static final String KIND = "kind";
    static final String REASON = "reason";
    static final String ATTRIBUTE = "attribute";

    private MeterNames() {}
}
