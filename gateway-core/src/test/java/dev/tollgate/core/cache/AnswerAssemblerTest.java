package dev.tollgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.model.Usage;
import org.junit.jupiter.api.Test;

class AnswerAssemblerTest {

    @Test
    void oneThatKeepsABeginningHoldsNoMoreThanItsBoundHoweverLongTheStream() {
        var assembler = AnswerAssembler.keeping(100);
        for (int i = 0; i < 10_000; i++) {
            assembler.accept(new StreamEvent.TextDelta(0, "0123456789"));
        }
        assembler.accept(new StreamEvent.ToolCallDelta(0, "c1", "f", "{\"a\":1}"));
        assembler.accept(new StreamEvent.Finish(FinishReason.STOP));

        ChatResponse answer = assembler.result("m", Usage.UNKNOWN);
        assertThat(answer.output()).containsExactly(new Part.Text("0123456789".repeat(10)),
                new Part.ToolCall("c1", "f", ""));
        assertThat(assembler.cut()).isTrue();
    }

    @Test
    void theCutNeverHalvesASurrogatePairAndNothingIsKeptAfterIt() {
        var assembler = AnswerAssembler.keeping(4);
        assembler.accept(new StreamEvent.TextDelta(0, "abc\uD83D\uDE00"));
        assembler.accept(new StreamEvent.TextDelta(0, "d"));
        assembler.accept(new StreamEvent.Finish(FinishReason.STOP));
        assertThat(assembler.result("m", Usage.UNKNOWN).output()).containsExactly(new Part.Text("abc"));
        assertThat(assembler.cut()).isTrue();
    }

    @Test
    void anAnswerWithinTheBoundIsWholeAndNotCut() {
        var assembler = AnswerAssembler.keeping(5);
        assembler.accept(new StreamEvent.TextDelta(0, "hello"));
        assembler.accept(new StreamEvent.Finish(FinishReason.STOP));
        assertThat(assembler.result("m", Usage.UNKNOWN).output()).containsExactly(new Part.Text("hello"));
        assertThat(assembler.cut()).isFalse();
    }
}
