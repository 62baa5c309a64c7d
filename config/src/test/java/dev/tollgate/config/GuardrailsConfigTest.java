package dev.tollgate.config;

import static dev.tollgate.config.Fixtures.loaded;
import static dev.tollgate.config.Fixtures.loader;
import static dev.tollgate.config.Fixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.guard.DenyCheck;
import dev.tollgate.core.guard.GuardAction;
import dev.tollgate.core.guard.GuardStage;
import dev.tollgate.core.guard.Guardrail;
import dev.tollgate.core.guard.GuardrailPolicy;
import dev.tollgate.core.guard.InjectionCheck;
import dev.tollgate.core.guard.PiiCheck;
import dev.tollgate.core.guard.TopicCheck;
import dev.tollgate.core.pii.PiiType;
import org.junit.jupiter.api.Test;

class GuardrailsConfigTest {
    private static final String BASE = """
            providers:
              openai: { type: openai, base_url: https://api.openai.com/v1 }
            teams:
              support: { guardrails: [support-only] }
            keys:
              - { name: bot, hash: "sha256:%s", team: support, guardrails: [no-secrets] }
            models:
              m: { deployments: [ { provider: openai } ], guardrails: [jailbreak, banned] }
              other: { deployments: [ { provider: openai } ] }
            """.formatted("a".repeat(64));

    private static final String GUARDRAILS = """
            guardrails:
              no-secrets: { kind: pii, action: redact, applies_to: both, types: [secrets, email] }
              jailbreak: { kind: injection, action: block, threshold: 0.7 }
              banned: { kind: deny, action: flag, terms: [project-x], regexes: ["(?i)acme-\\\\d{4}"] }
              support-only:
                kind: topics
                action: block
                topics: { billing: [invoice, refund], shipping: [delivery] }
            """;

    private static GuardrailPolicy policy(String yaml) {
        return loaded(loader().parse("t.yaml", yaml)).snapshot().guardrails();
    }

    @Test
    void withoutTheSectionNoGuardrailApplies() {
        GuardrailPolicy policy = policy(Fixtures.MINIMAL);
        assertThat(policy.active()).isFalse();
        assertThat(policy.forRequest("gpt-4o-mini", null, null).any(GuardStage.INPUT)).isFalse();
    }

    @Test
    void eachKindIsCompiledWithItsOptions() {
        GuardrailPolicy policy = policy(BASE + GUARDRAILS);
        Guardrail pii = policy.guardrails().get("no-secrets");
        assertThat(pii.action()).isEqualTo(GuardAction.REDACT);
        assertThat(pii.input()).isTrue();
        assertThat(pii.output()).isTrue();
        assertThat(((PiiCheck) pii.check()).types()).contains(PiiType.EMAIL, PiiType.API_KEY, PiiType.JWT,
                PiiType.PRIVATE_KEY).doesNotContain(PiiType.PHONE, PiiType.CREDIT_CARD);
        assertThat(((InjectionCheck) policy.guardrails().get("jailbreak").check()).threshold()).isEqualTo(0.7);
        Guardrail banned = policy.guardrails().get("banned");
        assertThat(banned.input()).isTrue();
        assertThat(banned.output()).isFalse();
        assertThat(((DenyCheck) banned.check()).scan("about Project-X today").hit()).isTrue();
        assertThat(((DenyCheck) banned.check()).scan("ticket ACME-1234").hit()).isTrue();
        assertThat(((TopicCheck) policy.guardrails().get("support-only").check()).topics()).containsKeys("billing",
                "shipping");
    }

    @Test
    void aRequestGetsItsModelsKeysAndTeamsGuardrailsInConfigOrder() {
        GuardrailPolicy policy = policy(BASE + GUARDRAILS);
        assertThat(policy.forRequest("m", "bot", "support").at(GuardStage.INPUT)).extracting(Guardrail::name)
                .containsExactly("no-secrets", "jailbreak", "banned", "support-only");
        assertThat(policy.forRequest("other", "bot", "support").at(GuardStage.OUTPUT)).extracting(Guardrail::name)
                .containsExactly("no-secrets");
        assertThat(policy.forRequest("m", null, null).at(GuardStage.INPUT)).extracting(Guardrail::name)
                .containsExactly("jailbreak", "banned");
        assertThat(policy.forRequest("other", null, "support").at(GuardStage.INPUT)).extracting(Guardrail::name)
                .containsExactly("support-only");
        assertThat(policy.forRequest("other", null, null).any(GuardStage.INPUT)).isFalse();
    }

    @Test
    void badGuardrailsAreReportedAtTheirPositions() {
        String yaml = BASE.replace("[jailbreak, banned]", "[jailbreak, banend]") + """
                guardrails:
                  no-secrets: { kind: pii, action: redact, types: [emial] }
                  jailbreak: { kind: injection, action: redact, types: [email] }
                  banned: { kind: deny, action: block, regexes: ["(a+)+b", "(x|xy)*z", "(\\\\w)\\\\1"] }
                  support-only: { kind: topics, action: flag, applies_to: both, topics: { billing: [invoice] } }
                  empty: { kind: deny, action: flag }
                  odd: { kind: virus, action: zap }
                """;
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactlyInAnyOrder(
                "t.yaml:8:71: models.m.guardrails[1]: unknown guardrail 'banend' (did you mean 'banned'?)",
                "t.yaml:11:52: guardrails.no-secrets.types[0]: unknown PII type 'emial' (did you mean 'email'?); "
                        + "valid types: private_key, jwt, api_key, google_api_key, aws_access_key, github_token, "
                        + "url_credential, bearer_token, "
                        + "credit_card, iban, us_ssn, email, phone, ip_address, secrets",
                "t.yaml:12:49: guardrails.jailbreak.types: not allowed for kind injection (it takes threshold)",
                "t.yaml:12:41: guardrails.jailbreak.action: kind injection cannot redact (it judges a text as a "
                        + "whole): use block or flag",
                "t.yaml:13:50: guardrails.banned.regexes[0]: regex repeats a group that itself repeats or has "
                        + "alternatives (a nested quantifier), which can backtrack without bound",
                "t.yaml:13:60: guardrails.banned.regexes[1]: regex repeats a group that itself repeats or has "
                        + "alternatives (a nested quantifier), which can backtrack without bound",
                "t.yaml:13:72: guardrails.banned.regexes[2]: regex uses a backreference, which can backtrack "
                        + "without bound",
                "t.yaml:14:59: guardrails.support-only.applies_to: a topics guardrail reads the request's last "
                        + "user message: input only",
                "t.yaml:15:10: guardrails.empty: a deny guardrail needs terms, regexes or both",
                "t.yaml:16:16: guardrails.odd.kind: must be one of pii, injection, deny, topics, got 'virus'",
                "t.yaml:16:31: guardrails.odd.action: must be one of redact, block, flag, got 'zap'");
    }

    @Test
    void anEmbeddingsModelTakesNoGuardrails() {
        String yaml = BASE.replace("  other:", "  embed: { mode: embeddings, deployments: [ { provider: openai } ], "
                + "guardrails: [jailbreak] }\n  other:") + GUARDRAILS;
        assertThat(problems(loader().parse("t.yaml", yaml))).containsExactly(
                "t.yaml:9:69: models.embed.guardrails: not allowed on an embeddings model: guardrails screen chat "
                        + "requests only");
    }

    @Test
    void attachingWithoutTheSectionSaysItDefinesNone() {
        assertThat(problems(loader().parse("t.yaml", BASE))).contains(
                "t.yaml:8:60: models.m.guardrails[0]: unknown guardrail 'jailbreak': the top-level guardrails "
                        + "section defines none");
    }
}
