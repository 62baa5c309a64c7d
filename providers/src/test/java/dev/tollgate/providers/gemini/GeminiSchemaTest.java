package dev.tollgate.providers.gemini;

import static dev.tollgate.providers.gemini.GeminiRequestTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.RawJson;
import org.junit.jupiter.api.Test;

/** The JSON Schema to Gemini Schema rules, one at a time. */
class GeminiSchemaTest {

    private static String convert(String schema) {
        return GeminiSchema.convert(new RawJson(schema), "tools[0].parameters").toString();
    }

    private static void assertConverts(String schema, String expected) {
        assertThat(json(convert(schema))).isEqualTo(json(expected));
    }

    @Test
    void unknownKeywordsAreDroppedAndTypesUpperCased() {
        assertConverts("""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Args","type":"object",
                 "additionalProperties":false,"description":"d",
                 "properties":{"q":{"type":"string","minLength":1,"maxLength":80,"pattern":"^[a-z]+$","default":"x",
                                    "examples":["y"]},
                               "n":{"type":"integer","minimum":0,"exclusiveMaximum":10},
                               "tags":{"type":"array","items":{"type":"string"},"minItems":1,"uniqueItems":true}},
                 "required":["q","missing"]}""", """
                {"type":"OBJECT","description":"d",
                 "properties":{"q":{"type":"STRING","minLength":1,"maxLength":80,"pattern":"^[a-z]+$"},
                               "n":{"type":"INTEGER","minimum":0},
                               "tags":{"type":"ARRAY","items":{"type":"STRING"},"minItems":1}},
                 "required":["q"]}""");
    }

    @Test
    void typeListsBecomeNullableOrAnyOf() {
        assertConverts("{\"type\":[\"string\",\"null\"]}", "{\"type\":\"STRING\",\"nullable\":true}");
        assertConverts("{\"type\":[\"string\",\"integer\"]}", "{\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"INTEGER\"}]}");
        assertConverts("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"null\"}],\"description\":\"d\"}",
                "{\"type\":\"STRING\",\"nullable\":true,\"description\":\"d\"}");
        assertConverts("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"},{\"type\":\"null\"}]}",
                "{\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"INTEGER\"}],\"nullable\":true}");
    }

    @Test
    void enumsAreStringEnumsAndConstsBecomeEnums() {
        assertConverts("{\"enum\":[\"c\",\"f\"]}", "{\"type\":\"STRING\",\"enum\":[\"c\",\"f\"]}");
        assertConverts("{\"type\":\"integer\",\"enum\":[1,2]}", "{\"type\":\"INTEGER\"}");
        assertConverts("{\"const\":\"fixed\"}", "{\"type\":\"STRING\",\"enum\":[\"fixed\"]}");
    }

    @Test
    void onlyFormatsGeminiKnowsSurvive() {
        assertConverts("{\"type\":\"string\",\"format\":\"date-time\"}", "{\"type\":\"STRING\",\"format\":\"date-time\"}");
        assertConverts("{\"type\":\"string\",\"format\":\"email\"}", "{\"type\":\"STRING\"}");
        assertConverts("{\"type\":\"integer\",\"format\":\"int64\"}", "{\"type\":\"INTEGER\",\"format\":\"int64\"}");
        assertConverts("{\"type\":\"number\",\"format\":\"int32\"}", "{\"type\":\"NUMBER\"}");
    }

    @Test
    void localReferencesAreInlinedAndRecursionIsCut() {
        assertConverts("""
                {"$defs":{"Unit":{"type":"string","enum":["c","f"]},
                          "Node":{"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}}}},
                 "type":"object",
                 "properties":{"unit":{"allOf":[{"$ref":"#/$defs/Unit"}],"description":"which unit"},
                               "tree":{"$ref":"#/$defs/Node","description":"a tree","default":null},
                               "legacy":{"$ref":"#/definitions/Old"}},
                 "definitions":{"Old":{"type":"boolean"}}}""", """
                {"type":"OBJECT",
                 "properties":{"unit":{"type":"STRING","enum":["c","f"],"description":"which unit"},
                               "tree":{"type":"OBJECT","properties":{"child":{"type":"OBJECT"}},"description":"a tree"},
                               "legacy":{"type":"BOOLEAN"}}}""");
    }

    @Test
    void whatGeminiCannotExpressIsRefusedNamingTheField() {
        for (String schema : new String[] {
                "{\"allOf\":[{\"type\":\"string\"},{\"minLength\":2}]}",
                "{\"$ref\":\"https://example.com/schema.json\"}",
                "{\"$ref\":\"#/$defs/Nowhere\"}",
                "{\"type\":7}",
                "{\"properties\":{\"x\":false}}",
                "[]"}) {
            assertThatThrownBy(() -> convert(schema)).as(schema)
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error().httpStatus()).isEqualTo(400);
                        assertThat(e.error().param()).isEqualTo("tools[0].parameters");
                    });
        }
    }

    @Test
    void inliningCannotBlowUp() {
        // Each definition uses the next one twice: 2^20 nodes once inlined.
        var defs = new StringBuilder("{\"$defs\":{");
        for (int i = 0; i < 20; i++) {
            defs.append("\"D").append(i).append("\":{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/D").append(i + 1)
                    .append("\"},\"b\":{\"$ref\":\"#/$defs/D").append(i + 1).append("\"}}},");
        }
        defs.append("\"D20\":{\"type\":\"string\"}},\"$ref\":\"#/$defs/D0\"}");
        assertThatThrownBy(() -> convert(defs.toString()))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().message()).contains("10000 nodes"));
    }
}
