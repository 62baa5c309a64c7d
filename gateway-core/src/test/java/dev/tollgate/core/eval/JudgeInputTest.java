package dev.tollgate.core.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Usage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JudgeInputTest {

    static ChatRequest chat(Message... messages) {
        return new ChatRequest("gpt-4o", List.of(messages), Sampling.DEFAULTS, List.of(), null, null, false, false,
                null, Map.of(), "openai");
    }

    @Test
    void systemAndDeveloperMessagesAreTheContextTheRestIsThePrompt() {
        ChatRequest request = chat(
                Message.text(Role.SYSTEM, "You answer from the order history only."),
                Message.text(Role.DEVELOPER, "Order 17 shipped on 3 May."),
                new Message(Role.USER, List.of(new Part.Text("When did it ship? "), new Part.Image("https://x/y.png", null)), null),
                new Message(Role.ASSISTANT, List.of(new Part.ToolCall("c1", "lookup", "{\"order\":17}")), null),
                new Message(Role.TOOL, List.of(new Part.ToolResult("c1", "shipped 2024-05-03")), null));
        JudgeInput input = JudgeInput.of(request, "It shipped on 3 May.", 1000);
        assertThat(input.context()).isEqualTo("You answer from the order history only.\nOrder 17 shipped on 3 May.");
        assertThat(input.prompt()).isEqualTo("""
                user: When did it ship? [image]
                assistant: [tool call lookup] {"order":17}
                tool: [tool result] shipped 2024-05-03""");
        assertThat(input.answer()).isEqualTo("It shipped on 3 May.");
    }

    @Test
    void withoutASystemPromptTheContextIsEmpty() {
        JudgeInput input = JudgeInput.of(chat(Message.text(Role.USER, "hi")), "hello", 100);
        assertThat(input.context()).isEmpty();
        assertThat(input.prompt()).isEqualTo("user: hi");
    }

    @Test
    void eachTextIsCutToMaxCharsAndMarked() {
        ChatRequest request = chat(Message.text(Role.SYSTEM, "s".repeat(500)), Message.text(Role.USER, "u".repeat(500)));
        JudgeInput input = JudgeInput.of(request, "a".repeat(500), 100);
        assertThat(input.context()).isEqualTo("s".repeat(100) + JudgeInput.CUT_NOTE);
        assertThat(input.prompt()).isEqualTo("user: " + "u".repeat(94) + JudgeInput.CUT_NOTE);
        assertThat(input.answer()).isEqualTo("a".repeat(100) + JudgeInput.CUT_NOTE);
        JudgeInput exact = JudgeInput.of(chat(Message.text(Role.USER, "u".repeat(94))), "a".repeat(100), 100);
        assertThat(exact.prompt()).doesNotEndWith(JudgeInput.CUT_NOTE).hasSize(100);
        assertThat(exact.answer()).isEqualTo("a".repeat(100));
    }

    /** Where the limit falls on a line break, what was left out still shows as a cut. */
    @Test
    void aCutAtALineBreakIsStillMarked() {
        JudgeInput broken = JudgeInput.of(chat(Message.text(Role.SYSTEM, "s".repeat(100) + "\nmore"),
                Message.text(Role.USER, "u".repeat(94) + "\nmore")), "a".repeat(100) + "\nmore", 100);
        assertThat(broken.context()).isEqualTo("s".repeat(100) + JudgeInput.CUT_NOTE);
        assertThat(broken.prompt()).isEqualTo("user: " + "u".repeat(94) + JudgeInput.CUT_NOTE);
        assertThat(broken.answer()).isEqualTo("a".repeat(100) + JudgeInput.CUT_NOTE);
        // A whole message left out after one that fills the limit exactly.
        JudgeInput dropped = JudgeInput.of(chat(Message.text(Role.SYSTEM, "s".repeat(100)),
                Message.text(Role.DEVELOPER, "d"), Message.text(Role.USER, "u".repeat(94)),
                Message.text(Role.ASSISTANT, "a")), "x", 100);
        assertThat(dropped.context()).isEqualTo("s".repeat(100) + JudgeInput.CUT_NOTE);
        assertThat(dropped.prompt()).isEqualTo("user: " + "u".repeat(94) + JudgeInput.CUT_NOTE);
        // Text that ends at the limit, with only line breaks after it, lost nothing the judge reads.
        JudgeInput whole = JudgeInput.of(chat(Message.text(Role.SYSTEM, "s".repeat(100)),
                Message.text(Role.USER, "u".repeat(94))), "a".repeat(100) + "\n\n", 100);
        assertThat(whole.context()).isEqualTo("s".repeat(100));
        assertThat(whole.prompt()).isEqualTo("user: " + "u".repeat(94));
        assertThat(whole.answer()).isEqualTo("a".repeat(100));
    }

    @Test
    void emptySystemMessagesLeaveTheContextEmpty() {
        JudgeInput input = JudgeInput.of(chat(Message.text(Role.SYSTEM, ""), Message.text(Role.DEVELOPER, ""),
                Message.text(Role.USER, "hi")), "", 200);
        assertThat(input.context()).isEmpty();
        assertThat(input.answer()).isEmpty();
    }

    @Test
    void aCutNeverHalvesASurrogatePair() {
        String answer = "a".repeat(9) + "\uD83D\uDE00" + "tail";
        assertThat(JudgeInput.of(chat(Message.text(Role.USER, "q")), answer, 10).answer())
                .isEqualTo("a".repeat(9) + JudgeInput.CUT_NOTE);
    }

    @Test
    void answerTextNamesToolCalls() {
        var response = new ChatResponse("id", "m", 1, List.of(new Part.Text("Let me check. "),
                new Part.ToolCall("c1", "search", "{\"q\":\"tides\"}")), FinishReason.TOOL_CALLS, Usage.reported(1, 1));
        assertThat(AnswerText.of(response)).isEqualTo("Let me check. [tool call search] {\"q\":\"tides\"}");
    }
}
