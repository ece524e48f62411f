using MemoryFabric.Text;

namespace MemoryFabric.Guard;

/// <summary>The trigger signatures of lessons: the distinctive normalized content terms of a text, and how much
/// of a lesson's signature a text covers.</summary>
public static class LessonSignature
{
    /// <summary>The most terms a signature keeps.</summary>
    public const int MaxTerms = 24;

    /// <summary>The fewest terms a signature needs to catch anything (shorter ones are too generic).</summary>
    public const int MinTerms = 3;

    /// <summary>Computes the signature of a text: its distinct content terms (stemmed, stopwords removed), the
    /// longest first when there are too many, sorted.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The signature terms.</returns>
    public static IReadOnlyList<string> Of(string text)
    {
        var terms = TextAnalyzer.Terms(text).Where(t => t.Length > 1).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count > MaxTerms)
        {
            terms = terms.OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).Take(MaxTerms).ToList();
        }

        terms.Sort(StringComparer.Ordinal);
        return terms;
    }

    /// <summary>The share of a signature's terms a text's terms contain (containment, 0 to 1); 0 when fewer than
    /// <see cref="MinTerms"/> terms are shared.</summary>
    /// <param name="signature">The lesson's signature.</param>
    /// <param name="textTerms">The distinct terms of the text.</param>
    /// <returns>The containment.</returns>
    public static double Containment(IReadOnlyList<string> signature, IReadOnlySet<string> textTerms)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(textTerms);
        if (signature.Count < MinTerms)
        {
            return 0;
        }

        var shared = signature.Count(textTerms.Contains);
        return shared < MinTerms ? 0 : (double)shared / signature.Count;
    }
}
