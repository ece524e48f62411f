using System.Text.RegularExpressions;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Temporal;
using MemoryFabric.Text;

namespace MemoryFabric.Extraction;

/// <summary>
/// The offline default extractor: one note per informative statement, with the speaker resolved ("I" becomes the
/// speaker's name, "you" the addressee's), relative dates made absolute against the turn's date, entities
/// normalized, and a kind, attribute and importance assigned by rules. Image captions become notes of their own.
/// Questions and small talk ("Wow, that's cool!") yield nothing, and so do the assistant's turns: notes come from what
/// people say.
/// </summary>
public sealed partial class RuleBasedNoteExtractor : INoteExtractor
{
    /// <summary>Statements with fewer content terms than this are small talk (default 3).</summary>
    public const int MinContentTerms = 3;

    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "wow", "cool", "great", "awesom", "thank", "thanks", "yeah", "yes", "hey", "hi", "hello", "lol", "haha", "glad",
        "nice", "amaz", "love", "realli", "really", "good", "sound", "sounds", "totally", "definit", "oh", "ok",
        "okay", "sure", "congrat", "congratulation", "bye", "see", "soon", "take", "care", "talk", "later", "know",
        "agre", "absolut", "absolutely", "happy", "proud", "lot", "mean", "right", "true", "so", "super", "gonna",
        "wanna", "got", "get", "keep", "it", "thing", "stuff", "feel", "think", "wish", "hope", "luck", "best", "fun",
    };

    /// <inheritdoc />
    public string Name => "rules";

    /// <inheritdoc />
    public string Version => "1";

    /// <inheritdoc />
    public Task<IReadOnlyList<NoteWrite>> ExtractAsync(NoteExtractionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var notes = new List<NoteWrite>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Turn? previous = null;
        foreach (var turn in context.Turns)
        {
            if (turn.Role == TurnRole.Assistant)
            {
                previous = turn; // what the assistant said is no note of the user's, but it may be the question answered next
                continue;
            }

            var addressee = Addressee(turn.Speaker, context.Participants);
            var (text, captions) = SplitCaptions(turn.Text);
            foreach (var caption in captions)
            {
                AddNote(notes, seen, CaptionNote(turn, caption));
            }

            var question = previous is not null && !string.Equals(previous.Speaker, turn.Speaker, StringComparison.OrdinalIgnoreCase)
                && previous.Text.TrimEnd().EndsWith('?') ? previous : null;
            foreach (var sentence in SentenceSplitter.Split(text))
            {
                var note = SentenceNote(turn, sentence, addressee, question, context.Participants);
                if (note is not null)
                {
                    AddNote(notes, seen, note);
                }
            }

            previous = turn;
        }

        return Task.FromResult<IReadOnlyList<NoteWrite>>(notes);
    }

    private static NoteWrite? SentenceNote(Turn turn, string sentence, string? addressee, Turn? question, IReadOnlyList<string> participants)
    {
        if (sentence.EndsWith('?'))
        {
            return null;
        }

        var informative = TextAnalyzer.Terms(sentence).Count(t => !Filler.Contains(t) && !IsName(t, participants));
        var reference = DateOnly.FromDateTime(turn.Timestamp.DateTime);
        var mentions = RelativeDateResolver.Find(sentence, reference);
        var classification = NoteClassifier.Classify(
            sentence,
            hasPastDate: mentions.Any(m => m.Date < reference),
            hasFutureDate: mentions.Any(m => m.Date > reference));
        if (informative < MinContentTerms && classification.Attribute is null
            && !(informative >= 1 && (question is not null || mentions.Count > 0)))
        {
            return null;
        }
        var resolved = PersonResolver.Resolve(RelativeDateResolver.Resolve(sentence, reference), turn.Speaker, addressee);
        if (resolved.IndexOf(turn.Speaker, StringComparison.OrdinalIgnoreCase) < 0)
        {
            resolved = $"{turn.Speaker}: {resolved}";
        }

        var sources = new List<string> { turn.Id };
        if (informative < MinContentTerms && classification.Attribute is null && question is not null)
        {
            // A short answer is only self-contained with its question.
            resolved = $"{resolved} (answering {question.Speaker}: \"{Shorten(question.Text, 120)}\")";
            sources.Insert(0, question.Id);
        }

        var entities = EntityExtractor.Extract(resolved, participants);
        DateTimeOffset? eventTime = mentions.Count > 0
            ? new DateTimeOffset(mentions[0].Date.ToDateTime(TimeOnly.MinValue), turn.Timestamp.Offset)
            : classification.Kind == NoteKind.Event ? turn.Timestamp : null;
        return new NoteWrite
        {
            Kind = classification.Kind,
            Text = resolved,
            Subject = EntityExtractor.Normalize(turn.Speaker),
            Attribute = classification.Attribute,
            Value = classification.Value,
            EventTime = eventTime,
            ValidFrom = turn.Timestamp,
            SourceTurnIds = sources,
            Entities = entities,
            Importance = Importance(classification, entities.Count, mentions.Count > 0),
        };
    }

    private static NoteWrite CaptionNote(Turn turn, string caption)
    {
        var what = PhotoPrefix().Replace(caption.Trim(), string.Empty);
        return new NoteWrite
        {
            Kind = NoteKind.Event,
            Text = $"{turn.Speaker} shared a photo of {what}.",
            Subject = EntityExtractor.Normalize(turn.Speaker),
            EventTime = turn.Timestamp,
            ValidFrom = turn.Timestamp,
            SourceTurnIds = [turn.Id],
            Entities = EntityExtractor.Extract(what),
            Importance = 0.3,
        };
    }

    private static double Importance(NoteClassification c, int entities, bool dated)
    {
        var score = 0.3 + (0.08 * Math.Min(3, entities)) + (dated ? 0.15 : 0);
        score += c.Kind is NoteKind.Profile or NoteKind.Relationship or NoteKind.Plan ? 0.15 : 0;
        score += c.Attribute is not null ? 0.1 : 0;
        return Math.Min(1.0, score);
    }

    private static void AddNote(List<NoteWrite> notes, HashSet<string> seen, NoteWrite note)
    {
        if (seen.Add(note.Text))
        {
            notes.Add(note);
        }
    }

    private static (string Text, List<string> Captions) SplitCaptions(string text)
    {
        var captions = new List<string>();
        var rest = ImageCaption().Replace(text, m =>
        {
            captions.Add(m.Groups["c"].Value);
            return " ";
        });
        return (rest.Trim(), captions);
    }

    private static string? Addressee(string speaker, IReadOnlyList<string> participants)
    {
        var others = participants.Where(p => !string.Equals(p, speaker, StringComparison.OrdinalIgnoreCase)).ToList();
        return others.Count == 1 ? others[0] : null;
    }

    private static bool IsName(string term, IReadOnlyList<string> participants)
    {
        foreach (var p in participants)
        {
            if (string.Equals(LightStemmer.Stem(p.ToLowerInvariant()), term, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Shorten(string text, int max)
    {
        var t = text.Trim();
        return t.Length <= max ? t : t[..(max - 1)].TrimEnd() + "\u2026";
    }

    [GeneratedRegex(@"\[image:\s*(?<c>[^\]]*)\]", RegexOptions.IgnoreCase)]
    private static partial Regex ImageCaption();

    [GeneratedRegex(@"^(?:a |an )?(?:photo|picture|image) of ", RegexOptions.IgnoreCase)]
    private static partial Regex PhotoPrefix();
}
