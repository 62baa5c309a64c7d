package dev.tollgate.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptRequestTest {
    /** {@code text}'s UTF-8 octets, one char per octet, as an HTTP codec hands a header value over. */
    private static String octets(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void headerOctetsAreReadAsUtf8() {
        PromptRequest r = PromptRequest.fromHttp(List.of(octets("greet@b\u00eata")),
                List.of(octets("{\"name\":\"J\u00fcrgen \u2603\"}")));
        assertThat(r).isEqualTo(new PromptRequest("greet@b\u00eata", "{\"name\":\"J\u00fcrgen \u2603\"}"));
    }

    @Test
    void asciiAndAbsentHeadersAreKeptAsTheyAre() {
        String variables = "{\"name\":\"J\\u00fcrgen\"}";
        PromptRequest r = PromptRequest.fromHttp(List.of("greet"), List.of(variables));
        assertThat(r.variables()).isSameAs(variables);
        assertThat(PromptRequest.fromHttp(List.of(), List.of())).isEqualTo(PromptRequest.NONE);
    }

    @Test
    void octetsThatAreNotUtf8AreA400NamingTheHeader() {
        GatewayError variables = catchThrowableOfType(GatewayException.class,
                () -> PromptRequest.fromHttp(List.of("greet"), List.of("{\"name\":\"J\u00fcrgen\"}"))).error();
        assertThat(variables.httpStatus()).isEqualTo(400);
        assertThat(variables.param()).isEqualTo(PromptRequest.VARIABLES_HEADER);
        assertThat(variables.code()).isEqualTo("invalid_header_encoding");
        assertThat(catchThrowableOfType(GatewayException.class,
                () -> PromptRequest.fromHttp(List.of("gr\u00e9et"), List.of())).error().param())
                .isEqualTo(PromptRequest.HEADER);
    }

    @Test
    void aHeaderGivenTwiceIsA400NamingIt() {
        GatewayError e = catchThrowableOfType(GatewayException.class,
                () -> PromptRequest.fromHttp(List.of("greet@1", "greet@2"), List.of())).error();
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("duplicate_header");
        assertThat(e.param()).isEqualTo(PromptRequest.HEADER);
        assertThat(catchThrowableOfType(GatewayException.class,
                () -> PromptRequest.fromHttp(List.of("greet"), List.of("{}", "{}"))).error().param())
                .isEqualTo(PromptRequest.VARIABLES_HEADER);
    }
}
