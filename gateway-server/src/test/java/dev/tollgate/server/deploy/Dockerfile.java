package dev.tollgate.server.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instructions of a Dockerfile: continuation lines joined, comments dropped, each tagged with its stage. */
record Dockerfile(List<Instruction> instructions) {
    static final Path FILE = Repo.DOCKER.resolve("Dockerfile");
    /** Where the image's config sits: what entrypoint.sh serves when given no arguments. */
    static final String IMAGE_CONFIG = "/app/config/tollgate.yaml";

    /** One instruction; {@code stage} counts FROM lines from 0. */
    record Instruction(String keyword, String arguments, int line, int stage) {
        /** Its arguments in exec form (a JSON array), as ENTRYPOINT and CMD take them. */
        List<String> execForm() {
            try {
                return Arrays.asList(new ObjectMapper().readValue(arguments, String[].class));
            } catch (JsonProcessingException e) {
                throw new AssertionError("Dockerfile:" + line + ": " + keyword + " is not in exec form: " + arguments);
            }
        }

        /** The words of its arguments, split on whitespace. */
        List<String> words() {
            return List.of(arguments.trim().split("\\s+"));
        }
    }

    /** A COPY: {@code --name=value} flags, its sources and where they go. */
    record Copy(Map<String, String> flags, List<String> sources, String destination, int stage, int line) {
        boolean fromContext() {
            return !flags.containsKey("from");
        }
    }

    static Dockerfile load() {
        var instructions = new ArrayList<Instruction>();
        String[] lines = YamlTree.read(FILE).split("\n", -1);
        int stage = -1;
        var pending = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue; // comments may sit between continuation lines, as Docker allows
            }
            if (pending.isEmpty()) {
                start = i + 1;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
            if (keyword.equals("FROM")) {
                stage++;
            }
            instructions.add(new Instruction(keyword, space < 0 ? "" : text.substring(space + 1).strip(), start, stage));
        }
        return new Dockerfile(List.copyOf(instructions));
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The last {@code keyword} of the final stage: the one the image keeps. */
    Instruction image(String keyword) {
        return all(keyword).stream().filter(i -> i.stage() == finalStage()).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the Dockerfile's final stage has no " + keyword));
    }

    int finalStage() {
        return all("FROM").getLast().stage();
    }

    /** The names given with {@code FROM image AS name}. */
    List<String> stageNames() {
        return all("FROM").stream().map(Instruction::words).filter(w -> w.size() == 3 && w.get(1).equalsIgnoreCase("AS"))
                .map(w -> w.get(2)).toList();
    }

    List<Copy> copies() {
        var copies = new ArrayList<Copy>();
        for (Instruction copy : all("COPY")) {
            var flags = new LinkedHashMap<String, String>();
            var paths = new ArrayList<String>();
            for (String word : copy.words()) {
                if (word.startsWith("--")) {
                    int eq = word.indexOf('=');
                    flags.put(word.substring(2, eq), word.substring(eq + 1));
                } else {
                    paths.add(word);
                }
            }
            copies.add(new Copy(flags, List.copyOf(paths.subList(0, paths.size() - 1)), paths.getLast(),
                    copy.stage(), copy.line()));
        }
        return copies;
    }

    /** The config baked into the image, in the repository. */
    Path imageConfig() {
        return Repo.ROOT.resolve(copyTo(IMAGE_CONFIG).sources().getFirst());
    }

    /** The COPY of the final stage that puts something at {@code destination}. */
    Copy copyTo(String destination) {
        return copies().stream().filter(c -> c.stage() == finalStage() && c.destination().equals(destination))
                .findFirst().orElseThrow(() -> new AssertionError("the image gets nothing at " + destination));
    }
}
