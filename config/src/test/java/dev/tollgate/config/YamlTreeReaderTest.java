package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict YAML layer: positions, kinds, aliases, tags, duplicates and the limits that stop hostile input. */
class YamlTreeReaderTest {

    private final Diagnostics problems = new Diagnostics("t.yaml");

    private YamlNode read(String text) {
        return YamlTreeReader.read(text, problems);
    }

    private List<String> errors() {
        return problems.errors().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void nodesCarryTheirPositionsAndKinds() {
        YamlNode root = read("""
                a: 8
                b: "8"
                c: yes
                d: true
                e:
                f: [1.5, x]
                """);
        assertThat(errors()).isEmpty();
        var entries = ((YamlNode.Mapping) root).entries();
        assertThat(entries).extracting(YamlNode.Entry::key).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(entries.get(0).value()).isEqualTo(new YamlNode.Scalar(1, 4, YamlNode.Kind.INTEGER, "8"));
        assertThat(entries.get(1).value()).isEqualTo(new YamlNode.Scalar(2, 4, YamlNode.Kind.STRING, "8"));
        // YAML 1.1 would read "yes" as true; here only true and false are booleans.
        assertThat(entries.get(2).value()).isEqualTo(new YamlNode.Scalar(3, 4, YamlNode.Kind.STRING, "yes"));
        assertThat(entries.get(3).value()).isEqualTo(new YamlNode.Scalar(4, 4, YamlNode.Kind.BOOLEAN, "true"));
        assertThat(((YamlNode.Scalar) entries.get(4).value()).kind()).isEqualTo(YamlNode.Kind.NULL);
        var list = (YamlNode.Sequence) entries.get(5).value();
        assertThat(list.line()).isEqualTo(6);
        assertThat(list.column()).isEqualTo(4);
        assertThat(list.items()).containsExactly(
                new YamlNode.Scalar(6, 5, YamlNode.Kind.FLOAT, "1.5"), new YamlNode.Scalar(6, 10, YamlNode.Kind.STRING, "x"));
        assertThat(entries.get(5).line()).isEqualTo(6);
        assertThat(entries.get(5).column()).isEqualTo(1);
    }

    @Test
    void anEmptyDocumentIsAnEmptyMapping() {
        assertThat(read("# only a comment\n")).isEqualTo(new YamlNode.Mapping(1, 1, List.of()));
        assertThat(errors()).isEmpty();
    }

    @Test
    void scalarToStringHidesTheText() {
        assertThat(new YamlNode.Scalar(3, 7, YamlNode.Kind.STRING, Fixtures.CANARY).toString())
                .isEqualTo("Scalar[STRING at 3:7]");
    }

    @Test
    void aliasesResolveToTheAnchoredNode() {
        YamlNode root = read("""
                base: &shared { connect: 1s }
                copy: *shared
                """);
        assertThat(errors()).isEmpty();
        var entries = ((YamlNode.Mapping) root).entries();
        assertThat(entries.get(1).value()).isSameAs(entries.get(0).value());
    }

    @Test
    void anAliasToAnUnknownAnchorIsAProblem() {
        read("a: *nowhere\n");
        assertThat(errors()).containsExactly(
                "t.yaml:1:4: a: alias '*nowhere' does not name an anchored mapping or list defined before it");
    }

    @Test
    void anAliasCannotReachIntoItsOwnAnchor() {
        read("a: &loop [1, *loop]\n");
        assertThat(errors()).containsExactly(
                "t.yaml:1:14: a[1]: alias '*loop' does not name an anchored mapping or list defined before it");
    }

    @Test
    void billionLaughsIsRejectedFast() {
        var bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [");
            bomb.append(String.join(", ", java.util.Collections.nCopies(9, "*" + prev))).append("]\n");
        }
        assertTimeoutPreemptively(Duration.ofMillis(500), () -> read(bomb.toString()));
        assertThat(errors()).containsExactly("t.yaml:6:8: f[0]: aliases expand the document to more than 100000 values");
    }

    @Test
    void aliasesAreCounted() {
        String many = "a: &a [x]\nb: [" + String.join(", ", java.util.Collections.nCopies(51, "*a")) + "]\n";
        read(many);
        assertThat(errors()).containsExactly("t.yaml:2:205: b[50]: the document uses more than 50 aliases");
    }

    @Test
    void aNarrowAliasBombUnderTheAliasLimitIsStoppedByTheNodeBudget() {
        // 25 levels of two aliases each: within the alias limit, but 2^25 values once expanded.
        var bomb = new StringBuilder("l0: &l0 [x, x]\n");
        for (int i = 1; i <= 25; i++) {
            bomb.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l")
                    .append(i - 1).append("]\n");
        }
        assertTimeoutPreemptively(Duration.ofMillis(500), () -> read(bomb.toString()));
        assertThat(errors()).singleElement().asString()
                .endsWith("aliases expand the document to more than 100000 values");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a: !!python/object/apply:os.system [id]",
        "a: !!python/object:builtins.dict {}",
        "a: !custom value",
        "a: !!binary aGVsbG8=",
        "a: !!timestamp 2001-12-14",
        "a: !!set { x }",
        "a: !<tag:example.com,2000:app/foo> x",
    })
    void tagsBeyondTheCoreSchemaAreRejected(String yaml) {
        read(yaml + "\n");
        assertThat(errors()).singleElement().asString()
                .startsWith("t.yaml:1:4: a: tag '")
                .endsWith("' is not allowed: the config takes plain YAML values only");
    }

    @Test
    void theTagIsShownAsWritten() {
        read("a: !!python/object/apply:os.system [id]\nb: !custom x\n");
        assertThat(errors()).containsExactly(
                "t.yaml:1:4: a: tag '!!python/object/apply:os.system' is not allowed: the config takes plain YAML values only",
                "t.yaml:2:4: b: tag '!custom' is not allowed: the config takes plain YAML values only");
    }

    @Test
    void coreTagsAreAccepted() {
        YamlNode root = read("a: !!str 5\nb: !!int 7\nc: !!map { x: 1 }\nd: !!seq [1]\ne: !!bool true\n");
        assertThat(errors()).isEmpty();
        assertThat(((YamlNode.Mapping) root).entries().getFirst().value())
                .isEqualTo(new YamlNode.Scalar(1, 4, YamlNode.Kind.STRING, "5"));
    }

    @Test
    void duplicateKeysAreReportedAndTheFirstIsKept() {
        YamlNode root = read("""
                server:
                  listen: a
                  admin_listen: b
                  listen: c
                """);
        assertThat(errors()).containsExactly("t.yaml:4:3: server.listen: duplicate key 'listen' (first defined at line 2)");
        var server = (YamlNode.Mapping) ((YamlNode.Mapping) root).entries().getFirst().value();
        assertThat(server.entries()).hasSize(2);
        assertThat(((YamlNode.Scalar) server.entries().getFirst().value()).text()).isEqualTo("a");
    }

    @Test
    void aSecondDocumentIsAProblem() {
        read("a: 1\n---\nb: 2\n");
        assertThat(errors()).containsExactly(
                "t.yaml:3:1: a config file holds one YAML document; remove the second one (after '---')");
    }

    @Test
    void deepNestingIsRejected() {
        read("a: " + "[".repeat(200) + "]".repeat(200) + "\n");
        assertThat(errors()).singleElement().asString().endsWith("invalid YAML: the document nests deeper than 64 levels");
    }

    @Test
    void oversizedDocumentsAreRejected() {
        String big = ("# " + "x".repeat(77) + "\n").repeat(YamlTreeReader.MAX_CODE_POINTS / 80 + 1) + "a: 1\n";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> read(big));
        assertThat(errors()).singleElement().asString().contains("exceeds the limit: 2097152 code points");
    }

    @Test
    void syntaxErrorsArePositionedAndDoNotQuoteTheSourceLine() {
        read("a:\n  b: c: " + Fixtures.CANARY + "\n");
        assertThat(errors()).containsExactly("t.yaml:2:7: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void complexKeysAreRejected() {
        read("? [a, b]\n: c\n");
        assertThat(errors()).singleElement().asString()
                .endsWith("invalid YAML: mapping keys must be single values, not lists, mappings or aliases");
    }
}
