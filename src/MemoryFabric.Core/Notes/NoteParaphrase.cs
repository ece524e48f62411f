using MemoryFabric.Text;

namespace MemoryFabric.Notes;

/// <summary>
/// When one note restates another (the merge rule of <see cref="NoteStore.Add"/>, for notes written through the API
/// and notes extracted by consolidation alike). A note is reduced to its <see cref="NoteShape"/>: its content terms
/// (stopwords, the subject's own words, punctuation, case and word order left out; lightly stemmed), a negated word
/// kept as its own term ("doesn't like" → <c>not:like</c>). Two terms match when they are equal or are forms of one word
/// ("allergy" and "allergic", "music" and "musical": a common stem of at least four letters followed by nothing or an
/// adjective or abstract-noun suffix; an agent noun such as "teacher" for "teach" does not match). Note A
/// <em>covers</em> note B when every term of B matches a term of A: B then says nothing A does not. A term that is
/// swapped ("peanuts" for "shellfish"), negated ("does not like") or changed ("likes" for "dislikes") makes another
/// fact.
/// </summary>
internal static class NoteParaphrase
{
    /// <summary>The prefix of a negated term.</summary>
    public const string Not = "not:";

    /// <summary>The shortest common stem for two different word forms to match.</summary>
    private const int MinimumStem = 4;

    // What may follow the common stem in a matching pair: nothing, or an adjective or abstract-noun ending.
    private static readonly HashSet<string> FormEndings = new(StringComparer.Ordinal)
    {
        string.Empty, "y", "ic", "ical", "ically", "al", "ial", "ally", "ly", "ion", "ation", "ment", "ness", "ity", "ive", "ous",
    };

    // Negation cues (besides any word ending in n't). "not" and the n't forms are stopwords, so they are read first.
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "nor", "cannot", "without", "none", "nothing", "neither",
        "dont", "doesnt", "didnt", "cant", "wont", "isnt", "arent", "wasnt", "werent", "hasnt", "havent", "hadnt",
        "shouldnt", "wouldnt", "couldnt", "mustnt", "neednt",
    };

    /// <summary>The shape of a note's text about its subject.</summary>
    /// <param name="subject">The note's subject.</param>
    /// <param name="text">The note's text.</param>
    /// <returns>The shape.</returns>
    public static NoteShape Shape(string subject, string text)
    {
        var subjectWords = new HashSet<string>(TextAnalyzer.Words(subject), StringComparer.Ordinal);
        var terms = new List<string>();
        var negate = false;
        foreach (var word in TextAnalyzer.Words(text))
        {
            var bare = word.Replace("'", string.Empty, StringComparison.Ordinal);
            if (Negations.Contains(bare) || word.EndsWith("n't", StringComparison.Ordinal))
            {
                negate = true;
                continue;
            }

            if (EnglishStopwords.Contains(word) || subjectWords.Contains(word))
            {
                continue;
            }

            var term = LightStemmer.Stem(bare);
            if (term.Length == 0)
            {
                continue;
            }

            // A negation applies to the next content word; an adverb ("really") passes it on.
            if (negate && !(term.Length > 4 && term.EndsWith("ly", StringComparison.Ordinal)))
            {
                term = Not + term;
                negate = false;
            }

            if (!terms.Contains(term, StringComparer.Ordinal))
            {
                terms.Add(term);
            }
        }

        return new NoteShape(NormalizeSubject(subject), [.. terms]);
    }

    /// <summary>The subject as the merge compares it.</summary>
    /// <param name="subject">The subject.</param>
    /// <returns>Trimmed, lower-case.</returns>
    public static string NormalizeSubject(string subject) => subject.Trim().ToLowerInvariant();

    /// <summary>The index key of a term: every term it matches shares it (the first <see cref="MinimumStem"/> letters,
    /// or the whole of a shorter term, after the negation prefix).</summary>
    /// <param name="term">The term.</param>
    /// <returns>The key.</returns>
    public static string Key(string term)
    {
        var negated = term.StartsWith(Not, StringComparison.Ordinal);
        var word = negated ? term[Not.Length..] : term;
        var key = word.Length <= MinimumStem ? word : word[..MinimumStem];
        return negated ? Not + key : key;
    }

    /// <summary>Whether <paramref name="wide"/> covers <paramref name="narrow"/>: the same subject, and every term of
    /// <paramref name="narrow"/> matched by one of <paramref name="wide"/>.</summary>
    /// <param name="wide">The note that may say more.</param>
    /// <param name="narrow">The note that may say less.</param>
    /// <returns>Whether <paramref name="narrow"/> says nothing that <paramref name="wide"/> does not.</returns>
    public static bool Covers(NoteShape wide, NoteShape narrow)
    {
        if (narrow.Terms.Length == 0 || !string.Equals(wide.Subject, narrow.Subject, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var term in narrow.Terms)
        {
            if (!Array.Exists(wide.Terms, t => Match(t, term)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two shapes contradict each other: a term of one is negated in the other.</summary>
    /// <param name="a">A shape.</param>
    /// <param name="b">Another shape.</param>
    /// <returns>Whether they clash.</returns>
    public static bool Clash(NoteShape a, NoteShape b) =>
        Array.Exists(a.Terms, t => Array.Exists(b.Terms, u => Match(Negate(t), u)));

    /// <summary>Whether two terms are forms of one word (both negated, or neither).</summary>
    /// <param name="a">A term.</param>
    /// <param name="b">Another term.</param>
    /// <returns>Whether they match.</returns>
    public static bool Match(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        var negated = a.StartsWith(Not, StringComparison.Ordinal);
        if (negated != b.StartsWith(Not, StringComparison.Ordinal))
        {
            return false;
        }

        var start = negated ? Not.Length : 0;
        var common = start;
        var shorter = Math.Min(a.Length, b.Length);
        while (common < shorter && a[common] == b[common])
        {
            common++;
        }

        return common - start >= MinimumStem && FormEndings.Contains(a[common..]) && FormEndings.Contains(b[common..]);
    }

    private static string Negate(string term) =>
        term.StartsWith(Not, StringComparison.Ordinal) ? term[Not.Length..] : Not + term;
}

/// <summary>A note as the merge compares it (<see cref="NoteParaphrase"/>).</summary>
/// <param name="Subject">The normalized subject.</param>
/// <param name="Terms">The distinct content terms, in text order (negated ones prefixed <see cref="NoteParaphrase.Not"/>).</param>
internal sealed record NoteShape(string Subject, string[] Terms);
