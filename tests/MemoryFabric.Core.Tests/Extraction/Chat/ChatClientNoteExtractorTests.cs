using MemoryFabric.Conversation;
using MemoryFabric.Extraction;
using MemoryFabric.Notes;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Core.Tests.Extraction.Chat;

public sealed class ChatClientNoteExtractorTests
{
    private static readonly DateTimeOffset May7 = new(2023, 5, 7, 13, 56, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset May8 = new(2023, 5, 8, 20, 10, 0, TimeSpan.Zero);

    private static readonly Turn[] Turns =
    [
        MakeTurn("D1:1", "Caroline", "I went to a LGBTQ support group yesterday and it was so powerful.", May8, 1),
        MakeTurn("D1:2", "Melanie", "That's great! I painted a lake sunrise last year.", May8, 2),
        MakeTurn("D1:3", "Caroline", "I moved to Boston from Sweden.", May8.AddMinutes(2), 3),
    ];

    private const string ValidReply = """
        {"notes":[
          {"kind":"event","text":"Caroline went to a LGBTQ support group on 7 May 2023.","subject":"Caroline",
           "event_date":"2023-05-07","entities":["LGBTQ support group"],"source_turn_ids":["D1:1"],"importance":0.8},
          {"kind":"Profile","text":"Caroline lives in Boston.","subject":"Caroline","attribute":"home city",
           "value":"Boston","source_turn_ids":["D1:3"],"importance":0.9}
        ]}
        """;

    [Fact]
    public async Task Valid_output_is_mapped_to_notes()
    {
        var client = new ScriptedChatClient(ValidReply);
        var extractor = new ChatClientNoteExtractor(client);

        IReadOnlyList<NoteWrite> notes = await extractor.ExtractAsync(Context(Turns));

        Assert.Equal("chat", extractor.Name);
        Assert.Equal("1", extractor.Version);
        Assert.Equal(2, notes.Count);
        NoteWrite ev = notes[0];
        Assert.Equal(NoteKind.Event, ev.Kind);
        Assert.Equal("Caroline went to a LGBTQ support group on 7 May 2023.", ev.Text);
        Assert.Equal("Caroline", ev.Subject);
        Assert.Null(ev.Attribute);
        Assert.Null(ev.Value);
        Assert.Equal(new DateTimeOffset(2023, 5, 7, 0, 0, 0, TimeSpan.Zero), ev.EventTime);
        Assert.Equal(["D1:1"], ev.SourceTurnIds);
        Assert.Equal(["LGBTQ support group"], ev.Entities);
        Assert.Equal(0.8, ev.Importance);
        NoteWrite profile = notes[1];
        Assert.Equal(NoteKind.Profile, profile.Kind);
        Assert.Equal(("home city", "Boston"), (profile.Attribute, profile.Value));
        Assert.Null(profile.EventTime);
        Assert.Equal(["D1:3"], profile.SourceTurnIds);
        Assert.Equal(0.9, profile.Importance);
        Assert.Single(client.Requests);
    }

    [Theory]
    [InlineData("```json\n{0}\n```")]
    [InlineData("```\n{0}\n```")]
    [InlineData("Here are the notes:\n\n{0}\n\nLet me know if you need anything else {{:-)}}.")]
    public async Task Fenced_or_wrapped_output_is_read(string template)
    {
        var client = new ScriptedChatClient(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, ValidReply));

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns));

        Assert.Equal(2, notes.Count);
        Assert.Single(client.Requests);
    }

    [Fact]
    public async Task Invalid_notes_are_dropped_and_fields_are_sanitized()
    {
        string longText = new('x', 1001);
        string reply = $$"""
            {"notes":[
              {"kind":"opinion","text":"Unknown kind.","subject":"Caroline","source_turn_ids":["D1:1"]},
              {"kind":"3","text":"Numeric kind.","subject":"Caroline","source_turn_ids":["D1:1"]},
              {"kind":"fact","text":"   ","subject":"Caroline","source_turn_ids":["D1:1"]},
              {"kind":"fact","text":"{{longText}}","subject":"Caroline","source_turn_ids":["D1:1"]},
              {"kind":"fact","text":"No subject.","subject":" ","source_turn_ids":["D1:1"]},
              {"kind":"fact","text":"Unknown turns only.","subject":"Caroline","source_turn_ids":["D9:9","D1:1x"]},
              {"kind":"fact","text":"No turns.","subject":"Caroline"},
              "not an object",
              {"kind":"PREFERENCE","text":" Melanie loves painting. ","subject":"Melanie ",
               "source_turn_ids":["D9:9","D1:2","D1:2"],"importance":7,"event_date":"last year","attribute":"hobby"},
              {"kind":"plan","text":"Caroline plans to paint.","subject":"Caroline","source_turn_ids":"D1:1",
               "importance":-0.5,"event_date":"2023-13-45"},
              {"kind":"fact","text":"Caroline moved from Sweden.","subject":"Caroline","sourceTurnIds":["D1:3"],"importance":"0.25"}
            ]}
            """;
        var client = new ScriptedChatClient(reply);

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns));

        Assert.Equal(3, notes.Count);
        NoteWrite preference = notes[0];
        Assert.Equal(NoteKind.Preference, preference.Kind);
        Assert.Equal("Melanie loves painting.", preference.Text);
        Assert.Equal("Melanie", preference.Subject);
        Assert.Equal(["D1:2"], preference.SourceTurnIds); // unknown id filtered out, duplicate removed
        Assert.Equal(1.0, preference.Importance);          // clamped
        Assert.Null(preference.EventTime);                 // "last year" is not yyyy-MM-dd
        Assert.Null(preference.Attribute);                 // an attribute without a value is dropped
        NoteWrite plan = notes[1];
        Assert.Equal(NoteKind.Plan, plan.Kind);
        Assert.Equal(["D1:1"], plan.SourceTurnIds);        // a single string is taken as a list
        Assert.Equal(0.0, plan.Importance);
        Assert.Null(plan.EventTime);
        NoteWrite fact = notes[2];
        Assert.Equal(["D1:3"], fact.SourceTurnIds);
        Assert.Equal(0.25, fact.Importance);
    }

    [Fact]
    public async Task Turn_ids_outside_the_episode_are_not_accepted()
    {
        // The context carries a turn that the episode does not list: it is neither sent nor citable.
        Episode episode = EpisodeOf(Turns[..2]);
        var context = new NoteExtractionContext(episode, Turns, ["Caroline", "Melanie"]);
        var client = new ScriptedChatClient("""
            {"notes":[{"kind":"profile","text":"Caroline lives in Boston.","subject":"Caroline","source_turn_ids":["D1:3"]}]}
            """);

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(context);

        Assert.Empty(notes);
        Assert.DoesNotContain("[D1:3]", client.Requests[0][1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_is_retried_with_a_corrective_message()
    {
        var client = new ScriptedChatClient("Sorry, I cannot produce JSON today.", ValidReply);

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns));

        Assert.Equal(2, notes.Count);
        Assert.Equal(2, client.Requests.Count);
        List<ChatMessage> retry = client.Requests[1];
        Assert.Equal(4, retry.Count);
        Assert.Equal(client.Requests[0][0].Text, retry[0].Text);
        Assert.Equal(ChatRole.Assistant, retry[2].Role);
        Assert.Equal("Sorry, I cannot produce JSON today.", retry[2].Text);
        Assert.Equal(ChatRole.User, retry[3].Role);
        Assert.Contains("no JSON object", retry[3].Text, StringComparison.Ordinal);
        Assert.Contains("{\"notes\":[...]}", retry[3].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"notes\": [ {\"kind\": \"fact\", ")]    // truncated
    [InlineData("{\"memories\": []}")]                      // no notes array
    [InlineData("")]
    public async Task Unreadable_replies_are_retried(string firstReply)
    {
        var client = new ScriptedChatClient(firstReply, "{\"notes\":[]}");

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns));

        Assert.Empty(notes);
        Assert.Equal(2, client.Requests.Count);
    }

    [Fact]
    public async Task Invalid_json_twice_throws_with_the_reply_excerpt()
    {
        string garbage = "not json " + new string('z', 300);
        var client = new ScriptedChatClient("still { not json", garbage);

        NoteExtractionException ex = await Assert.ThrowsAsync<NoteExtractionException>(
            () => new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns)));

        Assert.IsAssignableFrom<InvalidOperationException>(ex);
        Assert.Equal(2, client.Requests.Count);
        Assert.Contains("ep-1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(garbage[..200], ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(garbage[..201], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_retry_when_MaxRetries_is_zero()
    {
        var client = new ScriptedChatClient("nope", ValidReply);
        var extractor = new ChatClientNoteExtractor(client, new ChatClientNoteExtractorOptions { MaxRetries = 0 });

        await Assert.ThrowsAsync<NoteExtractionException>(() => extractor.ExtractAsync(Context(Turns)));

        Assert.Single(client.Requests);
    }

    [Fact]
    public async Task Prompt_lists_turn_ids_dates_and_speakers_and_explains_the_schema()
    {
        Turn lateEvening = MakeTurn("D2:1", "Melanie", "See you\nnext week!", new DateTimeOffset(2023, 5, 9, 23, 30, 0, TimeSpan.FromHours(-5)), 4);
        var client = new ScriptedChatClient("{\"notes\":[]}");

        await new ChatClientNoteExtractor(client).ExtractAsync(Context([.. Turns, lateEvening]));

        List<ChatMessage> request = Assert.Single(client.Requests);
        Assert.Equal([ChatRole.System, ChatRole.User], request.Select(m => m.Role));
        string system = request[0].Text;
        foreach (string word in new[] { "fact", "preference", "event", "plan", "relationship", "profile", "source_turn_ids", "event_date", "importance", "attribute", "subject", "yyyy-MM-dd", "{\"notes\":[...]}" })
        {
            Assert.Contains(word, system, StringComparison.Ordinal);
        }

        string user = request[1].Text;
        Assert.Contains("Participants: Caroline, Melanie", user, StringComparison.Ordinal);
        Assert.Contains("[D1:1] (8 May 2023) Caroline: I went to a LGBTQ support group yesterday and it was so powerful.", user, StringComparison.Ordinal);
        Assert.Contains("[D1:2] (8 May 2023) Melanie: That's great! I painted a lake sunrise last year.", user, StringComparison.Ordinal);
        Assert.Contains("[D2:1] (9 May 2023) Melanie: See you next week!", user, StringComparison.Ordinal); // the speaker's local date, one line
        Assert.True(user.IndexOf("[D1:1]", StringComparison.Ordinal) < user.IndexOf("[D1:3]", StringComparison.Ordinal));

        ChatOptions? options = client.Options[0];
        Assert.NotNull(options);
        Assert.Equal(0f, options.Temperature);
        Assert.Same(ChatResponseFormat.Json, options.ResponseFormat);
    }

    [Fact]
    public async Task Custom_chat_options_are_sent_as_copies()
    {
        var template = new ChatOptions { ModelId = "tiny", Temperature = 0.2f };
        var client = new ScriptedChatClient("{\"notes\":[]}");

        await new ChatClientNoteExtractor(client, new ChatClientNoteExtractorOptions { ChatOptions = template }).ExtractAsync(Context(Turns));

        ChatOptions? sent = client.Options[0];
        Assert.NotNull(sent);
        Assert.NotSame(template, sent);
        Assert.Equal("tiny", sent.ModelId);
        Assert.Equal(0.2f, sent.Temperature);
    }

    [Fact]
    public async Task Long_episodes_are_split_by_MaxTurnsPerRequest()
    {
        var client = new ScriptedChatClient(
            """{"notes":[{"kind":"fact","text":"Melanie painted a lake sunrise in 2022.","subject":"Melanie","source_turn_ids":["D1:2","D1:3"]}]}""",
            """{"notes":[{"kind":"profile","text":"Caroline lives in Boston.","subject":"Caroline","source_turn_ids":["D1:3","D1:1"]}]}""");
        var extractor = new ChatClientNoteExtractor(client, new ChatClientNoteExtractorOptions { MaxTurnsPerRequest = 2 });

        IReadOnlyList<NoteWrite> notes = await extractor.ExtractAsync(Context(Turns));

        Assert.Equal(2, client.Requests.Count);
        Assert.Contains("[D1:2]", client.Requests[0][1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("[D1:3]", client.Requests[0][1].Text, StringComparison.Ordinal);
        Assert.Contains("[D1:3]", client.Requests[1][1].Text, StringComparison.Ordinal);
        Assert.Equal(["D1:2"], notes[0].SourceTurnIds); // a note may only cite the turns it was shown
        Assert.Equal(["D1:3"], notes[1].SourceTurnIds);
    }

    [Fact]
    public async Task An_empty_episode_asks_nothing()
    {
        var client = new ScriptedChatClient();

        IReadOnlyList<NoteWrite> notes = await new ChatClientNoteExtractor(client).ExtractAsync(Context([]));

        Assert.Empty(notes);
        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_asking()
    {
        var client = new ScriptedChatClient(ValidReply);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns), cts.Token));

        Assert.Empty(client.Requests);
    }

    [Fact]
    public async Task Cancellation_during_a_request_propagates()
    {
        using var cts = new CancellationTokenSource();
        var client = new ScriptedChatClient("nope", ValidReply) { OnRequest = cts.Cancel };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new ChatClientNoteExtractor(client).ExtractAsync(Context(Turns), cts.Token));

        Assert.Single(client.Requests);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        var client = new ScriptedChatClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatClientNoteExtractor(client, new ChatClientNoteExtractorOptions { MaxRetries = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatClientNoteExtractor(client, new ChatClientNoteExtractorOptions { MaxTurnsPerRequest = 0 }));
        Assert.Throws<ArgumentNullException>(() => new ChatClientNoteExtractor(null!));
    }

    private static Turn MakeTurn(string id, string speaker, string text, DateTimeOffset timestamp, long sequence) =>
        new(id, "s1", speaker, TurnRole.User, text, timestamp, sequence, new Dictionary<string, string>());

    private static Episode EpisodeOf(IReadOnlyList<Turn> turns) => new()
    {
        Id = "ep-1",
        SessionId = "s1",
        TurnIds = turns.Select(t => t.Id).ToList(),
        Start = turns.Count > 0 ? turns[0].Timestamp : May7,
        End = turns.Count > 0 ? turns[^1].Timestamp : May7,
        Participants = turns.Select(t => t.Speaker).Distinct().ToList(),
        Keywords = [],
        Entities = [],
        Summary = "",
    };

    private static NoteExtractionContext Context(IReadOnlyList<Turn> turns) =>
        new(EpisodeOf(turns), turns, ["Caroline", "Melanie"]);
}
