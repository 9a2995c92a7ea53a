package io.rotquant.runtime.chat;

import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonObject;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.Generation;
import io.rotquant.runtime.model.RotQuantModel;
import io.rotquant.runtime.model.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A conversation on one session of a model: each turn renders the whole conversation with the
 * artifact's chat template (which places BOS and the role markers itself, so the text is encoded
 * without added special tokens), keeps the cache of the longest prefix the session has already
 * seen and feeds only the rest. Generation stops at the model's EOS ids and the template's EOS token. One
 * conversation per thread; the model may serve many.
 */
public final class Chat {
    private final RotQuantModel model;
    private final ChatTemplate template;
    private final Session session;
    private final int[] stopTokens;
    private final List<ChatMessage> messages = new ArrayList<>();
    private int[] fed = new int[0];
    private int reused;

    /** The session notes ({@link Session#notes()}) a saved conversation keeps its state in. */
    private static final String MESSAGES_NOTE = "chat.messages";
    private static final String FED_NOTE = "chat.fed";

    public Chat(RotQuantModel model, ChatTemplate template, String eosToken) {
        this(model, template, eosToken, model.newSession());
    }

    private Chat(RotQuantModel model, ChatTemplate template, String eosToken, Session session) {
        this.model = model;
        this.template = template;
        this.session = session;
        int eos = eosToken == null || eosToken.isEmpty() ? -1 : model.tokenizer().idOf(eosToken);
        this.stopTokens = IntStream.concat(model.spec().eosTokenIds().stream().mapToInt(Integer::intValue),
                eos < 0 ? IntStream.empty() : IntStream.of(eos)).distinct().toArray();
    }

    private Chat(Chat source) {
        this.model = source.model;
        this.template = source.template;
        this.session = source.session.fork();
        this.stopTokens = source.stopTokens;
        this.messages.addAll(source.messages);
        this.fed = source.fed;
        this.reused = source.reused;
    }

    /** A conversation with the chat template the artifact carries. */
    public static Chat on(RotQuantModel model) {
        ChatFormat format = format(model);
        return new Chat(model, format.parse(), format.eosToken());
    }

    private static ChatFormat format(RotQuantModel model) {
        String json = model.metadata(ArtifactFormat.KEY_CHAT).orElseThrow(() -> new IllegalStateException(
                "the artifact has no chat template (its checkpoint's tokenizer_config.json had none)"));
        return ChatFormat.fromJson(JsonObject.parse("artifact metadata '" + ArtifactFormat.KEY_CHAT + "'", json));
    }

    /**
     * Writes the conversation (its messages, and its session's cache: {@link Session#save}) to
     * {@code file}, so that {@link #load} resumes it after a restart without computing it again.
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        List<Object> saved = new ArrayList<>();
        for (ChatMessage m : messages) {
            saved.add(java.util.Map.of("role", m.role(), "content", m.content()));
        }
        session.notes().put(MESSAGES_NOTE, JsonWriter.write(saved));
        session.notes().put(FED_NOTE, JsonWriter.write(Arrays.stream(fed).boxed().toList()));
        session.save(file);
    }

    /**
     * The conversation {@link #save} wrote to {@code file}, on the same artifact, with the
     * artifact's chat template: its next turn reuses the saved cache ({@link #reused()}).
     */
    public static Chat load(RotQuantModel model, java.nio.file.Path file) {
        Session session = model.loadSession(file);
        String messages = session.notes().get(MESSAGES_NOTE);
        String fed = session.notes().get(FED_NOTE);
        if (messages == null || fed == null) {
            throw new IllegalArgumentException(file + ": a saved session, not a saved conversation (no chat notes)");
        }
        ChatFormat format = format(model);
        Chat chat = new Chat(model, format.parse(), format.eosToken(), session);
        try {
            for (Object m : (List<?>) Json.parse(messages)) {
                java.util.Map<?, ?> message = (java.util.Map<?, ?>) m;
                chat.messages.add(new ChatMessage((String) message.get("role"), (String) message.get("content")));
            }
            chat.fed = ((List<?>) Json.parse(fed)).stream().mapToInt(id -> ((Long) id).intValue()).toArray();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": unreadable chat notes (" + e.getMessage() + ")", e);
        }
        return chat;
    }

    /** Sets the system prompt; only before the first turn. */
    public Chat system(String content) {
        if (!messages.isEmpty()) {
            throw new IllegalStateException("the system prompt comes before the first turn");
        }
        messages.add(ChatMessage.system(content));
        return this;
    }

    /**
     * Feeds the start of the first turn's prompt that no user text changes (BOS, the system prompt,
     * the role markers up to the user's text), found as the common tokens of two renderings that
     * differ only in the user's text; only before the first turn. A conversation {@link #fork}ed
     * from this one then starts its first turn from that cache. Returns how many tokens it fed.
     */
    public int prefillSystem() {
        if (messages.size() > 1) {  // a turn adds two messages, the system prompt one
            throw new IllegalStateException("the system prompt is prefilled before the first turn");
        }
        int[] one = prompt("a");
        int[] other = prompt("b");
        int common = commonPrefix(one, other, Math.min(one.length, other.length) - 1);
        session.reset();
        if (common > 0) {
            session.append(one, 0, common);
        }
        fed = Arrays.copyOf(one, common);
        return common;
    }

    /**
     * A conversation that goes on from this one's messages and cache, independently of it: a
     * server prefills a system prompt once ({@link #prefillSystem}) and forks a conversation from
     * it per user. Not while another thread uses this conversation.
     */
    public Chat fork() {
        return new Chat(this);
    }

    /** How many leading tokens {@code a} and {@code b} share, counting at most {@code limit} (within both). */
    private static int commonPrefix(int[] a, int[] b, int limit) {
        int common = 0;
        while (common < limit && a[common] == b[common]) {
            common++;
        }
        return common;
    }

    /** The conversation so far. */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** The prompt tokens of the conversation so far plus {@code user}'s turn, ending where the reply starts. */
    public int[] prompt(String user) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.add(ChatMessage.user(user));
        return model.tokenizer().encode(template.render(next, true), false);
    }

    /**
     * Sends {@code user}'s turn and generates the reply; {@code settings} configures the generation
     * (token budget, sampling, listener, stop strings). The reply joins the conversation.
     */
    public Generation.Result send(String user, Consumer<Generation> settings) {
        int[] prompt = prompt(user);
        int common = commonPrefix(fed, prompt, Math.min(Math.min(fed.length, session.position()), prompt.length - 1));
        session.rewind(common);
        reused = common;
        Generation generation = session.generate().stopTokens(stopTokens);
        settings.accept(generation);
        Generation.Result result = generation.run(Arrays.copyOfRange(prompt, common, prompt.length));
        messages.add(ChatMessage.user(user));
        messages.add(ChatMessage.assistant(result.text()));
        fed = IntStream.concat(Arrays.stream(prompt), Arrays.stream(result.tokens())).toArray();
        return result;
    }

    /** Tokens of the last turn's prompt taken from the cache rather than computed again. */
    public int reused() {
        return reused;
    }
}
