package io.rotquant.runtime.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** UTF-8 decoding in the two flavours the decoders need: strict and lossy. */
final class Utf8 {
    private Utf8() {
    }

    /** The decoded text, or empty when the bytes are not valid UTF-8. */
    static Optional<String> strict(byte[] bytes, int length) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Decodes, replacing each maximal invalid subsequence by U+FFFD. */
    static String lossy(byte[] bytes, int length) {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
