package dev.tollgate.core.pricing;

import static dev.tollgate.core.pricing.PriceTest.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PriceTableTest {
    private static final String HEADER = "host,model,input,output,cached_input,cache_write,reasoning,max_output_tokens";

    @Test
    void emptyCellsDefaultToThePlainRates() {
        var table = PriceTable.parse(List.of(
                "# a comment", "", HEADER,
                "any,alpha,1.5,6,,,,",
                "any,beta,3,15,0.30,3.75,20,64000"), "test.csv");

        assertThat(table.find(ModelName.parse("alpha")))
                .isEqualTo(new Price(usd("1.5"), usd("6"), usd("1.5"), usd("1.5"), usd("6"), 0));
        assertThat(table.find(ModelName.parse("beta")))
                .isEqualTo(new Price(usd("3"), usd("15"), usd("0.30"), usd("3.75"), usd("20"), 64_000));
    }

    @Test
    void aliasesShareOneRowAndNamesAreCaseInsensitive() {
        var table = PriceTable.parse(List.of(HEADER, "any,Alpha|alpha-v2,1,2,,,,"), "test.csv");
        assertThat(table.find(ModelName.parse("alpha-v2"))).isEqualTo(table.find(ModelName.parse("ALPHA")))
                .isNotNull();
    }

    @Test
    void hostsFallBackToTheirParent() {
        var table = PriceTable.parse(List.of(HEADER,
                "any,m,1,1,,,,", "vertex,m,2,2,,,,", "bedrock,n,3,3,,,,", "bedrock-global,k,4,4,,,,",
                "bedrock,k,5,5,,,,"), "test.csv");
        assertThat(table.find(new ModelName(Host.VERTEX, List.of("m"))).input()).isEqualTo(usd("2"));
        assertThat(table.find(new ModelName(Host.ANY, List.of("m"))).input()).isEqualTo(usd("1"));
        assertThat(table.find(new ModelName(Host.BEDROCK_GLOBAL, List.of("n"))).input()).isEqualTo(usd("3"));
        assertThat(table.find(new ModelName(Host.BEDROCK_GLOBAL, List.of("k"))).input()).isEqualTo(usd("4"));
        assertThat(table.find(new ModelName(Host.BEDROCK, List.of("k"))).input()).isEqualTo(usd("5"));
        // Bedrock prices are Bedrock's own: a vendor's direct price is never assumed there
        assertThat(table.find(new ModelName(Host.BEDROCK, List.of("m")))).isNull();
    }

    @Test
    void malformedTablesNameTheLine() {
        assertThatThrownBy(() -> PriceTable.parse(List.of("model,input"), "t.csv"))
                .hasMessageContaining("t.csv line 1").hasMessageContaining("header");
        assertThatThrownBy(() -> PriceTable.parse(List.of("# only comments"), "t.csv"))
                .hasMessageContaining("no header");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,1,2,,,"), "t.csv"))
                .hasMessageContaining("line 2").hasMessageContaining("columns");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "azure,a,1,2,,,,"), "t.csv"))
                .hasMessageContaining("unknown host 'azure'");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,,2,,,,"), "t.csv"))
                .hasMessageContaining("input is required");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,one,2,,,,"), "t.csv"))
                .hasMessageContaining("input is not a number");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,1,2,,,,lots"), "t.csv"))
                .hasMessageContaining("max_output_tokens");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,-1,2,,,,"), "t.csv"))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a|,1,2,,,,"), "t.csv"))
                .hasMessageContaining("empty model name");
        assertThatThrownBy(() -> PriceTable.parse(List.of(HEADER, "any,a,1,2,,,,", "any,b|A,1,2,,,,"), "t.csv"))
                .hasMessageContaining("line 3").hasMessageContaining("'a' is listed twice");
    }

    @Test
    void theShippedTableParses() {
        var table = PriceTable.load("prices.csv");
        assertThat(table.find(ModelName.parse("gpt-4o-mini"))).isNotNull();
        assertThatThrownBy(() -> PriceTable.load("missing.csv")).isInstanceOf(IllegalStateException.class);
    }
}
