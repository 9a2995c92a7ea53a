package io.rotquant.compiler.build;

import static io.rotquant.compiler.recipe.RecipeParameter.CALIBRATION;
import static io.rotquant.compiler.recipe.RecipeParameter.EVAL_DATA;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATIONS;

import io.rotquant.compiler.calibration.CalibrationData;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything a compilation's output depends on, as flat name → value entries: the compiler
 * version, the recipe, the dtype, the evaluation settings and the SHA-256 of every input file
 * (checkpoint, calibration text, held-out text). Two equal fingerprints compile to the same bytes,
 * so a build whose fingerprint matches the recorded one, and whose artifact is still the recorded
 * one, can skip the work.
 */
public record Fingerprint(Map<String, String> entries) {
    /** The entry holding the digest of the artifact a recorded fingerprint produced. */
    public static final String ARTIFACT = "artifact.sha256";

    public Fingerprint {
        entries = Map.copyOf(entries);
    }

    public static Fingerprint of(String compilerVersion, CompileRequest request) throws IOException {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("compiler", compilerVersion);
        // Input files by their digests below, not by their paths.
        java.util.Set<String> files = java.util.Set.of(CALIBRATION.jsonKey(), ROTATIONS.jsonKey());
        request.recipe().toJson().forEach((key, value) -> {
            if (!files.contains(key)) {
                e.put("recipe." + key, String.valueOf(value));
            }
        });
        e.put("dtype", request.dtype().label());
        e.put("head_bits", Integer.toString(request.headBits()));
        InputDigests.checkpoint(request.model()).forEach((file, digest) -> e.put("model/" + file, digest));
        Path calibration = request.recipe().calibration();
        e.put("calibration", calibration == null ? CalibrationData.DEFAULT_NAME : InputDigests.sha256(calibration, CALIBRATION.named()));
        if (request.evalData() != null) {
            e.put("eval_data", InputDigests.sha256(request.evalData(), EVAL_DATA.named()));
            e.put("eval_windows", Integer.toString(request.evalWindows()));
        }
        return new Fingerprint(e).withRotationsFile(request);
    }

    /**
     * This fingerprint with {@code request}'s rotations file, if its recipe keeps one, by its digest,
     * or as "to be learned" while it is not there. Taken again after a build that learned into it, so
     * that the next build, which reads the file and gives the same artifact, is up to date.
     */
    public Fingerprint withRotationsFile(CompileRequest request) throws IOException {
        Path rotations = request.recipe().inputFiles().get(ROTATIONS);
        if (rotations == null) {
            return this;
        }
        return with(ROTATIONS.jsonKey(),
                Files.exists(rotations) ? InputDigests.sha256(rotations, ROTATIONS.named()) : "to be learned");
    }

    /** This fingerprint plus the digest of the artifact it produced, to record after a successful build. */
    public Fingerprint withArtifact(String sha256) {
        return with(ARTIFACT, sha256);
    }

    /** This fingerprint with one more entry (the device kind, say: a GPU-built artifact differs in the last bits). */
    public Fingerprint with(String name, String value) {
        Map<String, String> e = new LinkedHashMap<>(entries);
        e.put(name, value);
        return new Fingerprint(e);
    }

    /**
     * Why a build with this fingerprint must run again after {@code recorded}, one reason per
     * changed entry; empty when nothing but the recorded artifact digest differs.
     */
    public List<String> changesSince(Fingerprint recorded) {
        List<String> reasons = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(entries.keySet());
        names.addAll(recorded.entries.keySet());
        names.remove(ARTIFACT);
        for (String name : names) {
            String now = entries.get(name);
            String before = recorded.entries.get(name);
            if (!Objects.equals(now, before)) {
                reasons.add(now == null ? name + " no longer an input"
                        : before == null ? name + " is a new input"
                        : name + " changed (" + shorten(before) + " -> " + shorten(now) + ")");
            }
        }
        return reasons;
    }

    /** The recorded fingerprint in {@code file}, or null when there is none or it cannot be read. */
    public static Fingerprint read(Path file) throws IOException {
        try {
            JsonObject json = JsonObject.parse(file.toString(), Files.readString(file));
            Map<String, String> e = new LinkedHashMap<>();
            json.members().forEach((key, value) -> e.put(key, String.valueOf(value)));
            return new Fingerprint(e);
        } catch (NoSuchFileException | JsonException e) {
            return null;
        }
    }

    /** Records this fingerprint (temporary file, then rename). */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, JsonWriter.write(new java.util.TreeMap<>(entries)) + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String shorten(String value) {
        return value.length() == 64 && value.matches("[0-9a-f]+") ? value.substring(0, 12) + "…" : value;
    }
}
