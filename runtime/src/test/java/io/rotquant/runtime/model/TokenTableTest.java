package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TokenTableTest {
    private static final Kernels KERNELS = Kernels.best();

    @Test
    void rowCodesLookUpAndDotTheirRowTimesItsScale() {
        byte[] codes = {1, -2, 3, 127, -128, 0, 5, -5};
        TokenTable table = new TokenTable.RowCodes(4, MemorySegment.ofArray(codes), new float[] {0.5f, 2f});
        float[] row = new float[6];
        table.row(1, row, 2);
        assertThat(row).containsExactly(0f, 0f, -256f, 0f, 10f, -10f);
        float[] x = {9f, 1f, 2f, 3f, 4f};
        assertThat(table.dot(KERNELS, 0, x, 1)).isEqualTo(0.5f * (1 - 4 + 9 + 508));
        assertThat(table.dot(KERNELS, 1, x, 1)).isEqualTo(2f * (-128 + 0 + 15 - 20));
        assertThat(table.bytes()).isEqualTo(8 + 2 * 4);
    }

    @Test
    void groupCodesUnpackTheirNibblesAndScaleEachGroup() {
        // Row 0: codes 1, -2 | 7, -8 (groups of two columns); row 1: -1, 0 | 3, 4. Low nibble first.
        byte[] packed = {(byte) 0xE1, (byte) 0x87, (byte) 0x0F, (byte) 0x43};
        TokenTable table = new TokenTable.GroupCodes(4, MemorySegment.ofArray(packed), new float[] {0.5f, 2f, 1f, -1f}, 2);
        float[] row = new float[5];
        table.row(0, row, 1);
        assertThat(row).containsExactly(0f, 0.5f, -1f, 14f, -16f);
        table.row(1, row, 1);
        assertThat(row).containsExactly(0f, -1f, 0f, -3f, -4f);
        assertThat(table.prepared(new float[] {0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f}, 0, 2))
                .containsExactly(0f, 2f, 1f, 3f, 4f, 6f, 5f, 7f);
        float[] shifted = table.prepared(new float[] {9f, 9f, 9f, 9f, 1f, 2f, 3f, 4f}, 1, 1);
        assertThat(table.dot(KERNELS, 0, shifted, 0)).isEqualTo(0.5f * (1 - 4) + 2f * (21 - 32));
        assertThat(table.dot(KERNELS, 1, shifted, 0)).isEqualTo(1f * (-1) - 1f * (9 + 16));
        assertThat(table.bytes()).isEqualTo(4 + 4 * 4);
    }

    @Test
    void halfRowsWidenExactly() {
        short[] halves = {Float.floatToFloat16(1.5f), Float.floatToFloat16(-0.25f), Float.floatToFloat16(3f),
            Float.floatToFloat16(0.125f)};
        TokenTable table = new TokenTable.Half(2, KernelsTest.halves(halves));
        float[] row = new float[2];
        table.row(1, row, 0);
        assertThat(row).containsExactly(3f, 0.125f);
        assertThat((double) table.dot(KERNELS, 0, new float[] {2f, 4f}, 0)).isCloseTo(2.0, within(1e-6));
        assertThat(table.bytes()).isEqualTo(8);
    }
}
