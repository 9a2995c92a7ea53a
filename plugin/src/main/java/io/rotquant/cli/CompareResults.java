package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cells of a {@code compare} or {@code ablate} table, optionally kept in a file so that a table of several hours
 * can be finished across restarts. The file records the protocol (model, data, recipe settings
 * shared by all cells) and the machine, and refuses to mix cells measured under another one of either.
 */
final class CompareResults {
    private final Path file;
    private final Object protocol;
    private final Object machine;
    private final Map<String, Double> cells = new LinkedHashMap<>();

    private CompareResults(Path file, Object protocol, Object machine) {
        this.file = file;
        this.protocol = protocol;
        this.machine = machine;
    }

    /** Results backed by {@code file} (read if it exists), or in memory only when {@code file} is null. */
    static CompareResults open(Path file, Object protocol, Object machine) {
        // Normalized through JSON so that the comparison with a stored protocol is type-exact.
        CompareResults results = new CompareResults(file, Json.parse(JsonWriter.write(protocol)),
                Json.parse(JsonWriter.write(machine)));
        if (file == null) {
            return results;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return results;
        } catch (IOException e) {
            throw new InvalidInputException("--resume " + file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            Map<String, Object> stored = Json.parseObject(text);
            if (!results.protocol.equals(stored.get("protocol"))) {
                throw new InvalidInputException("--resume " + file + ": measured under another protocol "
                        + JsonWriter.write(stored.get("protocol")) + "; use a new file");
            }
            if (!results.machine.equals(stored.get("machine"))) {
                throw new InvalidInputException("--resume " + file + ": measured on " + (stored.get("machine") == null
                        ? "a machine it does not record" : JsonWriter.write(stored.get("machine"))) + ", this run is on "
                        + JsonWriter.write(results.machine) + "; a table holds one machine's figures, use a new file");
            }
            if (!(stored.get("cells") instanceof Map<?, ?> map)) {
                throw new InvalidInputException("--resume " + file + ": no \"cells\" object");
            }
            map.forEach((k, v) -> results.cells.put((String) k, v == null ? Double.NaN : ((Number) v).doubleValue()));
        } catch (JsonException | ClassCastException e) {
            throw new InvalidInputException("--resume " + file + ": not a compare results file (" + e.getMessage() + ")");
        }
        return results;
    }

    boolean has(String cell) {
        return cells.containsKey(cell);
    }

    double get(String cell) {
        return cells.get(cell);
    }

    /** The cells kept in {@code other} (measured under this protocol, on this machine, or refused in one line). */
    CompareResults sibling(Path other) {
        return open(other, protocol, machine);
    }

    /** Adds the cells of {@code other} that this table lacks (figures another process measured). */
    void addMissing(CompareResults other) {
        int before = cells.size();
        other.cells.forEach(cells::putIfAbsent);
        if (cells.size() > before) {
            write();
        }
    }

    /** Records one cell and, when backed by a file, rewrites it atomically. */
    void put(String cell, double ppl) {
        cells.put(cell, ppl);
        write();
    }

    private void write() {
        if (file == null) {
            return;
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("protocol", protocol);
        content.put("machine", machine);
        content.put("cells", cells);
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, JsonWriter.write(content) + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
