using System.Text.RegularExpressions;

namespace MemoryFabric.Extraction;

/// <summary>
/// Rewrites first- and second-person references into names: said by Melanie, "I adopted a dog" becomes
/// "Melanie adopted a dog", "I'm proud of you" (to Caroline) becomes "Melanie is proud of Caroline".
/// </summary>
public static partial class PersonResolver
{
    private static readonly HashSet<string> BaseVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "love", "like", "want", "need", "think", "feel", "hope", "plan", "enjoy", "know", "work", "live", "try", "wish",
        "miss", "believe", "guess", "mean", "remember", "find", "get", "make", "take", "see", "go", "do", "have", "use",
        "play", "teach", "watch", "prefer", "hate", "agree", "appreciate", "understand", "volunteer", "paint", "write",
        "read", "run", "cook", "bake", "collect", "practice", "practise", "study", "visit", "keep", "spend", "say",
        "tell", "care", "adore", "cherish", "value", "admire", "dream", "struggle", "intend", "own", "look", "seem",
        "consider", "imagine", "recommend", "suggest", "bring", "help", "wonder", "worry", "believe", "attend",
    };

    /// <summary>Rewrites a sentence said by <paramref name="speaker"/> to <paramref name="addressee"/>.</summary>
    /// <param name="sentence">The sentence.</param>
    /// <param name="speaker">Who said it.</param>
    /// <param name="addressee">Who "you" is, when known (a two-party conversation).</param>
    /// <returns>The rewritten sentence.</returns>
    public static string Resolve(string sentence, string speaker, string? addressee)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(speaker);
        var s = sentence.Replace('\u2019', '\'');
        s = FirstPersonBe().Replace(s, m => $"{speaker} is");
        s = FirstPersonWas().Replace(s, m => $"{speaker} was");
        s = FirstPersonHave().Replace(s, m => $"{speaker} has");
        s = FirstPersonWould().Replace(s, m => $"{speaker} would");
        s = FirstPersonWill().Replace(s, m => $"{speaker} will");
        s = FirstPersonSubject().Replace(s, m => speaker + m.Groups["adverbs"].Value + Agree(m.Groups["verb"].Value));
        s = FirstPersonPossessive().Replace(s, m => $"{speaker}'s");
        s = FirstPersonObject().Replace(s, m => speaker);
        if (addressee is not null)
        {
            s = SecondPersonBe().Replace(s, m => $"{addressee} is");
            s = SecondPersonHave().Replace(s, m => $"{addressee} has");
            s = SecondPersonPossessive().Replace(s, m => $"{addressee}'s");
            s = SecondPerson().Replace(s, m => addressee);
        }

        return s;
    }

    /// <summary>Whether a sentence speaks in the first person singular.</summary>
    /// <param name="sentence">The sentence.</param>
    /// <returns><see langword="true"/> when it contains I, me, my, mine or myself.</returns>
    public static bool IsFirstPerson(string sentence) => AnyFirstPerson().IsMatch(sentence);

    // " love" -> " loves" for a known base-form verb; anything else unchanged.
    private static string Agree(string verb)
    {
        var w = verb.TrimStart();
        return w.Length > 0 && BaseVerbs.Contains(w) ? " " + ThirdPerson(w) : verb;
    }

    private static string ThirdPerson(string verb) => verb.ToLowerInvariant() switch
    {
        "have" => "has",
        "do" => "does",
        "go" => "goes",
        var v when v.EndsWith('s') || v.EndsWith("sh", StringComparison.Ordinal) || v.EndsWith("ch", StringComparison.Ordinal) || v.EndsWith('x') => v + "es",
        var v when v.EndsWith('y') && v.Length > 2 && "aeiou".IndexOf(v[^2], StringComparison.Ordinal) < 0 => v[..^1] + "ies",
        var v => v + "s",
    };

    [GeneratedRegex(@"\b(?:I'm|I am|Im)\b")]
    private static partial Regex FirstPersonBe();

    [GeneratedRegex(@"\bI was\b")]
    private static partial Regex FirstPersonWas();

    [GeneratedRegex(@"\b(?:I've|I have)\b")]
    private static partial Regex FirstPersonHave();

    [GeneratedRegex(@"\bI'd\b")]
    private static partial Regex FirstPersonWould();

    [GeneratedRegex(@"\bI'll\b")]
    private static partial Regex FirstPersonWill();

    [GeneratedRegex(@"\bI\b(?!')(?<adverbs>(?: (?:really|just|also|always|still|totally|definitely|usually|often|never|actually|truly|absolutely|sometimes|recently|finally|even|already|kinda|personally|mostly))*)(?<verb> (?!I\b)[A-Za-z']+)?")]
    private static partial Regex FirstPersonSubject();

    [GeneratedRegex(@"\b(?:my|My|mine|Mine)\b")]
    private static partial Regex FirstPersonPossessive();

    [GeneratedRegex(@"\b(?:me|Me|myself|Myself)\b")]
    private static partial Regex FirstPersonObject();

    [GeneratedRegex(@"\b(?:you're|You're|you are|You are)\b")]
    private static partial Regex SecondPersonBe();

    [GeneratedRegex(@"\b(?:you've|You've)\b")]
    private static partial Regex SecondPersonHave();

    [GeneratedRegex(@"\b(?:your|Your|yours|Yours)\b")]
    private static partial Regex SecondPersonPossessive();

    [GeneratedRegex(@"\b(?:you|You|yourself|Yourself)\b")]
    private static partial Regex SecondPerson();

    [GeneratedRegex(@"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself|Me|My|Mine|Myself)\b")]
    private static partial Regex AnyFirstPerson();
}
