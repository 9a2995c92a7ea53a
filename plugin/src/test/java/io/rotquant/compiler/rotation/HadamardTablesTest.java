package io.rotquant.compiler.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated had_K tables equal the references' tables (SHA-256 of their ± strings) and are Hadamard. */
class HadamardTablesTest {
    /** specification.md §4.4: fingerprints of the tables shipped by QuaRot, SpinQuant and DFRot. */
    private static final Map<Integer, String> FINGERPRINTS = Map.ofEntries(
            Map.entry(12, "e027244070138ccb47e17d12803fe848f5fd999b6356b047ef5912bc235f3500"),
            Map.entry(20, "fe417beb154e4a025f5681e45361076a11b563319f260d39e339c077c2c1e8de"),
            Map.entry(28, "875b595f85017a38e59a62702d330941052da02816a946c0aabe9c7999fb1aa5"),
            Map.entry(36, "ca2f600dadc9eef2be2f175699dc6a84f3bf2d827eceec94d8fb6e51b26152e7"),
            Map.entry(40, "f4f11581471d77d936720840ab39d86d66ec5432f57f26a0608a3f1ebddf42d2"),
            Map.entry(44, "6077980593166a4bfd599208d9618ca4557c0addccf920cdde801753ea4a7f3d"),
            Map.entry(52, "45407bed337ae24539d0d7e3ee1bfc8ae03e8755999c074135dd3ee057f76fa0"),
            Map.entry(60, "134db0a162626c03430bbb587ffa201a8c4c52cec3db13548d18ca442ff3a6e0"),
            Map.entry(108, "483c19233287dea68b9745564f557554f9be3abc3b3824dbd88b8b86aca31d39"),
            Map.entry(140, "93ac93395665b9676512ee1efff1967efce35fbf55258a268bb6638fd1d13554"),
            Map.entry(156, "f1a893d61b8438fc2a421451bb507e24862ae847a5ba226310aeefb19b06c7ce"),
            Map.entry(172, "66cd19c8ae98afaf89df7699b232b24a5d6af15de96ed5a5ca8d84e68f2a38bb"));

    @Test
    void everySupportedOrderButTheProjectsOwnHasAReferenceFingerprint() {
        java.util.Set<Integer> referenced = new java.util.HashSet<>(HadamardTables.ORDERS);
        referenced.removeAll(HadamardTables.OWN_ORDERS);
        assertThat(FINGERPRINTS.keySet()).isEqualTo(referenced);
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 20, 28, 36, 40, 44, 52, 60, 108, 140, 156, 172})
    void tableMatchesReferenceFingerprint(int k) throws Exception {
        int[][] h = HadamardTables.of(k);
        StringBuilder signs = new StringBuilder();
        for (int[] row : h) {
            for (int v : row) {
                signs.append(v > 0 ? '+' : '-');
            }
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(signs.toString().getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(digest)).isEqualTo(FINGERPRINTS.get(k));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 12, 20, 28, 36, 40, 44, 52, 60, 76, 108, 140, 148, 156, 172})
    void tableIsHadamard(int k) {
        int[][] h = HadamardTables.of(k);
        assertThat(h).hasNumberOfRows(k);
        for (int i = 0; i < k; i++) {
            assertThat(h[i]).hasSize(k);
            assertThat(java.util.Arrays.stream(h[i]).allMatch(v -> v == 1 || v == -1)).as("row %d is ±1", i).isTrue();
            for (int j = 0; j < k; j++) {
                long dot = 0;
                for (int c = 0; c < k; c++) {
                    dot += h[i][c] * h[j][c];
                }
                assertThat(dot).as("row %d · row %d", i, j).isEqualTo(i == j ? k : 0);
            }
        }
    }
}
