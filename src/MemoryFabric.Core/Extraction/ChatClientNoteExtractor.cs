using System.Text;
using MemoryFabric.Conversation;
using MemoryFabric.Extraction.Chat;
using MemoryFabric.Notes;
using MemoryFabric.Temporal;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Extraction;

/// <summary>Extracts notes from an episode by asking a chat model (any <see cref="IChatClient"/>) for JSON.</summary>
/// <remarks>
/// The model gets a system prompt describing the note schema and the episode's turns as
/// <c>[turn id] (d MMMM yyyy) Speaker: text</c>, and answers <c>{"notes":[...]}</c>. The reply is read tolerantly
/// (code fences and prose around the JSON are ignored); notes with an unknown kind, a blank or overlong text, no
/// subject or no source turn of the episode are dropped. A reply that is not JSON at all is retried with a corrective
/// message up to <see cref="ChatClientNoteExtractorOptions.MaxRetries"/> times, then a
/// <see cref="NoteExtractionException"/> is thrown.
/// </remarks>
public sealed class ChatClientNoteExtractor : INoteExtractor
{
    internal const string SystemPrompt = """
        You extract long-term memory notes from a conversation. Each note is one self-contained statement that will be
        read later without the conversation, so it must make sense on its own.

        Reply with only a JSON object: {"notes":[...]}. Each note has these fields:
        - "kind": one of "fact", "preference", "event", "plan", "relationship", "profile".
          fact = a statement of fact; preference = a like, dislike or favourite; event = something that happened at a
          time; plan = an intention about the future; relationship = a relationship between people; profile = a stable
          attribute of a person (identity, job, home, age).
        - "text": the statement, at most 1000 characters. Use the speaker's name instead of I, me, my, you or your.
          Replace relative dates ("yesterday", "last week", "next month") with absolute dates, resolved against the
          date of the turn they were said in, e.g. "Caroline went to a support group on 7 May 2023".
        - "subject": who or what the note is about, usually a person's name.
        - "attribute" and "value" (optional): for a stable attribute, its name and value, e.g. "home city" and "Boston".
        - "event_date" (optional): when the event happened or will happen, as yyyy-MM-dd.
        - "entities" (optional): the people, places, organisations and things named in the note.
        - "source_turn_ids": the ids of the turns the note rests on, exactly as given in square brackets.
        - "importance": how much the note matters for remembering the speaker later, from 0 to 1.

        Extract every durable piece of information: facts, preferences, events, plans, relationships and profile
        attributes. Skip greetings and small talk. Do not invent anything the turns do not say. If there is nothing to
        remember, reply {"notes":[]}.
        """;

    private readonly IChatClient _chatClient;
    private readonly ChatClientNoteExtractorOptions _options;

    /// <summary>Creates the extractor.</summary>
    /// <param name="chatClient">The chat model to ask.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public ChatClientNoteExtractor(IChatClient chatClient, ChatClientNoteExtractorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        options ??= new ChatClientNoteExtractorOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        if (options.MaxTurnsPerRequest is int maxTurns)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTurns, nameof(options));
        }

        _chatClient = chatClient;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "chat";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public async Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();

        var episodeTurnIds = new HashSet<string>(context.Episode.TurnIds, StringComparer.Ordinal);
        List<Turn> turns = context.Turns
            .Where(t => episodeTurnIds.Count == 0 || episodeTurnIds.Contains(t.Id))
            .ToList();
        var notes = new List<NoteWrite>();
        foreach (Turn[] chunk in turns.Chunk(_options.MaxTurnsPerRequest ?? Math.Max(1, turns.Count)))
        {
            notes.AddRange(await ExtractChunkAsync(context, chunk, cancellationToken).ConfigureAwait(false));
        }

        return notes;
    }

    private async Task<List<NoteWrite>> ExtractChunkAsync(NoteExtractionContext context, Turn[] turns, CancellationToken cancellationToken)
    {
        var byId = new Dictionary<string, Turn>(StringComparer.Ordinal);
        foreach (Turn turn in turns)
        {
            byId.TryAdd(turn.Id, turn);
        }

        List<ChatMessage> messages =
        [
            new(ChatRole.System, SystemPrompt),
            new(ChatRole.User, BuildUserMessage(context, turns)),
        ];

        for (int attempt = 0; ; attempt++)
        {
            ChatResponse response = await _chatClient
                .GetResponseAsync(messages, _options.ChatOptions?.Clone(), cancellationToken)
                .ConfigureAwait(false);
            string reply = response.Text;
            if (ChatNoteParser.TryParse(reply, byId, out List<NoteWrite> notes, out string? error))
            {
                return notes;
            }

            if (attempt >= _options.MaxRetries)
            {
                string excerpt = reply.Length <= 200 ? reply : reply[..200];
                throw new NoteExtractionException(
                    $"The chat model's reply could not be read as notes after {attempt + 1} attempt(s) for episode " +
                    $"'{context.Episode.Id}': {error} Reply (first 200 characters): {excerpt}");
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, reply));
            messages.Add(new ChatMessage(
                ChatRole.User,
                $"Your reply could not be read: {error} Reply again with only the JSON object {{\"notes\":[...]}}, no other text."));
        }
    }

    internal static string BuildUserMessage(NoteExtractionContext context, IEnumerable<Turn> turns)
    {
        var builder = new StringBuilder();
        if (context.Participants.Count > 0)
        {
            builder.Append("Participants: ").AppendJoin(", ", context.Participants).Append('\n');
        }

        builder.Append("Each turn is written as [turn id] (date said) Speaker: text.\n");
        var turnList = turns as IReadOnlyCollection<Turn> ?? turns.ToList();
        if (turnList.Any(t => t.Role == TurnRole.Assistant))
        {
            builder.Append("Turns marked (assistant) are the AI assistant's replies: context only, take notes from the other speakers' statements.\n");
        }

        builder.Append('\n');
        foreach (Turn turn in turnList)
        {
            string text = turn.Text.ReplaceLineEndings(" ");
            builder.Append('[').Append(turn.Id).Append("] (")
                .Append(RelativeDateResolver.FormatDay(DateOnly.FromDateTime(turn.Timestamp.DateTime)))
                .Append(") ").Append(turn.Speaker).Append(turn.Role == TurnRole.Assistant ? " (assistant)" : string.Empty).Append(": ").Append(text).Append('\n');
        }

        builder.Append("\nExtract the notes as {\"notes\":[...]}.");
        return builder.ToString();
    }
}
