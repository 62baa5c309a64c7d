package dev.tollgate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteAndRequestIdTest {
    @Test
    void normalisesPathsOnceForDispatch() {
        assertThat(Route.of("/v1/chat/completions")).isEqualTo(Route.CHAT);
        assertThat(Route.of("/chat/completions")).isEqualTo(Route.CHAT);
        assertThat(Route.of("/v1//chat/completions/?x=1")).isEqualTo(Route.CHAT);
        assertThat(Route.of("/v1/embeddings#frag")).isEqualTo(Route.EMBEDDINGS);
        assertThat(Route.of("/v1/models")).isEqualTo(Route.MODELS);
        assertThat(Route.of("/V1/chat/completions")).isNull();
        assertThat(Route.of("/v1/%2e%2e/admin")).isNull();
        assertThat(Route.of("/v2/chat/completions")).isNull();
    }

    @Test
    void keepsSaneIdsAndReplacesOthers() {
        assertThat(RequestId.accept("abc-123_x.y:z")).isEqualTo("abc-123_x.y:z");
        assertThat(RequestId.accept(null)).startsWith("req_").hasSize(36);
        assertThat(RequestId.accept("")).startsWith("req_");
        assertThat(RequestId.accept("a\nb")).startsWith("req_");
        assertThat(RequestId.accept("x".repeat(129))).startsWith("req_");
        assertThat(RequestId.generate()).isNotEqualTo(RequestId.generate());
    }

    @Test
    void theSpendIdIsUniqueEvenWhenClientsReuseTheirIds() {
        String generated = RequestId.accept(null);
        assertThat(RequestId.spendId(generated, null)).isEqualTo(generated);
        String first = RequestId.spendId("abc", "abc");
        String second = RequestId.spendId("abc", "abc");
        assertThat(first).startsWith("req_").hasSize(36).isNotEqualTo(second);
        String replaced = RequestId.accept("bad id");
        assertThat(RequestId.spendId(replaced, "bad id")).isEqualTo(replaced);
    }

    @Test
    void aShadowCopysIdNamesItsParentWithinTheLengthLimit() {
        assertThat(RequestId.shadowOf("abc")).isEqualTo("abc.shadow");
        assertThat(RequestId.accept(RequestId.shadowOf("x".repeat(121)))).isEqualTo("x".repeat(121) + ".shadow");
        assertThat(RequestId.shadowOf("x".repeat(122))).startsWith("req_").hasSize(36);
    }

    @Test
    void generatedIdsSortByTimeAndStayUnique() throws InterruptedException {
        String earlier = RequestId.generate();
        Thread.sleep(2);
        String later = RequestId.generate();
        assertThat(earlier).matches("req_[0-9a-f]{32}");
        assertThat(earlier.compareTo(later)).isNegative();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(RequestId.generate())).isTrue();
        }
    }
}
