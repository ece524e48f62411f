using System.Text.RegularExpressions;
using MemoryFabric.Notes;

namespace MemoryFabric.Extraction;

/// <summary>Classifies a first-person statement: its note kind and, for stable attributes (home, job, age,
/// favourites), the attribute and value that let a later statement contradict it.</summary>
public static partial class NoteClassifier
{
    /// <summary>Classifies a sentence (in its original, first-person wording).</summary>
    /// <param name="sentence">The sentence as said.</param>
    /// <param name="hasPastDate">Whether the sentence mentions a resolved date before the time it was said.</param>
    /// <param name="hasFutureDate">Whether it mentions a date after the time it was said.</param>
    /// <returns>The kind and the optional attribute and value.</returns>
    public static NoteClassification Classify(string sentence, bool hasPastDate = false, bool hasFutureDate = false)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var s = sentence.Replace('\u2019', '\'');

        var m = Home().Match(s);
        if (m.Success)
        {
            return new(NoteKind.Profile, "home", Clean(m.Groups["v"].Value));
        }

        m = Job().Match(s);
        if (m.Success)
        {
            return new(NoteKind.Profile, "job", Clean(m.Groups["v"].Value));
        }

        m = Age().Match(s);
        if (m.Success)
        {
            return new(NoteKind.Profile, "age", m.Groups["v"].Value);
        }

        m = Favorite().Match(s);
        if (m.Success)
        {
            return new(NoteKind.Preference, "favorite " + m.Groups["a"].Value.ToLowerInvariant(), Clean(m.Groups["v"].Value));
        }

        m = RelationshipStatus().Match(s);
        if (m.Success)
        {
            return new(NoteKind.Relationship, "relationship status", m.Groups["v"].Value.ToLowerInvariant());
        }

        if (hasFutureDate || Future().IsMatch(s))
        {
            return new(NoteKind.Plan, null, null);
        }

        if (Preference().IsMatch(s))
        {
            return new(NoteKind.Preference, null, null);
        }

        if (hasPastDate || PastEvent().IsMatch(s))
        {
            return new(NoteKind.Event, null, null);
        }

        if (Relationship().IsMatch(s))
        {
            return new(NoteKind.Relationship, null, null);
        }

        return Identity().IsMatch(s) ? new(NoteKind.Profile, null, null) : new(NoteKind.Fact, null, null);
    }

    private static string Clean(string value) => value.Trim().TrimEnd('.', ',', '!', ';').Trim();

    [GeneratedRegex(@"\bI(?:'m| am)? (?:now |currently |still )?(?:live|living|lives|moved|relocated|settled) (?:in|to) (?<v>[A-Z][\w-]*(?: [A-Z][\w-]*)*)")]
    private static partial Regex Home();

    [GeneratedRegex(@"\bI (?:work|am working|'m working) as (?:an? )?(?<v>[a-z]+(?: [a-z]+)?)|\bI(?:'m| am) (?:now )?an? (?<v>(?:[a-z]+ )?(?:teacher|nurse|engineer|developer|counselor|counsellor|artist|writer|doctor|lawyer|chef|student|designer|manager|musician|photographer|programmer|scientist|researcher|accountant|firefighter|police officer|therapist|dancer|author|entrepreneur|painter|gamer|streamer|coach|instructor))\b")]
    private static partial Regex Job();

    [GeneratedRegex(@"\bI(?:'m| am) (?<v>\d{1,3}) (?:years old|yo)\b")]
    private static partial Regex Age();

    [GeneratedRegex(@"\b[Mm]y (?:all-time )?favou?rite (?<a>[a-z]+(?: [a-z]+)?) (?:is|was|has to be|would be) (?<v>[^.,!?;]+)")]
    private static partial Regex Favorite();

    [GeneratedRegex(@"\bI(?:'m| am) (?:now |happily )?(?<v>married|single|divorced|engaged|widowed)\b")]
    private static partial Regex RelationshipStatus();

    [GeneratedRegex(@"\b(?:going to|gonna|plan to|planning|plans to|will|I'll|intend|hope to|want to|wanna|thinking (?:of|about)|looking forward|next (?:week|month|year|weekend)|tomorrow|upcoming|soon)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Future();

    [GeneratedRegex(@"\b(?:love|loves|loved|like|likes|enjoy|enjoys|favou?rite|prefer|prefers|hate|hates|fan of|passionate about|into|obsessed with|can't stand)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Preference();

    [GeneratedRegex(@"\b(?:went|got|had|did|made|took|saw|met|ran|won|bought|began|came|gave|found|wrote|read|built|drew|sang|flew|left|lost|became|fell|felt|heard|kept|sold|spent|taught|thought|told|tried|[a-z]{3,}ed)\b", RegexOptions.IgnoreCase)]
    private static partial Regex PastEvent();

    [GeneratedRegex(@"\b(?:husband|wife|partner|boyfriend|girlfriend|kids|children|son|daughter|mom|mother|dad|father|brother|sister|friend|friends|married|family|grandma|grandmother|grandpa|grandfather|cousin|aunt|uncle|niece|nephew|fiance|fiancee)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Relationship();

    [GeneratedRegex(@"\bI(?:'m| am) (?:a|an) |\bI(?:'m| am) from\b|\bmy (?:job|career|name|identity)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Identity();
}

/// <summary>The kind of a statement and the attribute it sets, if any.</summary>
/// <param name="Kind">The note kind.</param>
/// <param name="Attribute">The attribute (e.g. "home"), or <see langword="null"/>.</param>
/// <param name="Value">The attribute's value (e.g. "Boston"), or <see langword="null"/>.</param>
public sealed record NoteClassification(NoteKind Kind, string? Attribute, string? Value);
