package dev.jcni.maven;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;

/** A training samples file: {@code {"samples": [ CONFIG, ... ]}} (docs/packaging.md). */
final class TrainingSamples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingSamples() {
    }

    /**
     * @param text the file's text
     * @return its first sample, as JSON text
     * @throws MojoExecutionException when it is not such a file
     */
    static Optional<String> first(String text) throws MojoExecutionException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new MojoExecutionException("a training samples file is not JSON: " + e.getMessage(), e);
        }
        JsonNode samples = root == null ? null : root.get("samples");
        if (samples == null || !samples.isArray()) {
            throw new MojoExecutionException("a training samples file holds {\"samples\": [...]}");
        }
        return samples.isEmpty() ? Optional.empty() : Optional.of(samples.get(0).toString());
    }
}
