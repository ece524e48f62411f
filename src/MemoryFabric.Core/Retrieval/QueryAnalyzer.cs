using System.Globalization;
using System.Text.RegularExpressions;
using MemoryFabric.Temporal;
using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>Analyzes a query: terms, the people it names, whether it asks when, and the dates it names (absolute,
/// or relative to when it is asked).</summary>
public static partial class QueryAnalyzer
{
    /// <summary>Analyzes a query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="queryTime">When it is asked.</param>
    /// <param name="participants">The people of the conversation.</param>
    /// <returns>The analysis.</returns>
    public static QueryAnalysis Analyze(string query, DateTimeOffset queryTime, IReadOnlyCollection<string> participants)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(participants);
        var words = new HashSet<string>(TextAnalyzer.Words(query), StringComparer.Ordinal);
        var named = participants.Where(p => TextAnalyzer.Words(p).All(words.Contains)).ToList();
        return new QueryAnalysis(TextAnalyzer.Terms(query), named, AsksWhen().IsMatch(query), FindDateRange(query, DateOnly.FromDateTime(queryTime.DateTime)));
    }

    /// <summary>Finds the first date range a text names: "16 March 2022", "March 16, 2022", "May 2023", "in 2022",
    /// or a relative expression ("last week") resolved against <paramref name="reference"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="reference">The date relative expressions are resolved against.</param>
    /// <returns>The range, both ends inclusive, or <see langword="null"/>.</returns>
    public static (DateOnly From, DateOnly To)? FindDateRange(string text, DateOnly reference)
    {
        ArgumentNullException.ThrowIfNull(text);
        var m = DayMonthYear().Match(text);
        if (m.Success && TryDate(m.Groups["y"].Value, m.Groups["m"].Value, m.Groups["d"].Value, out var day))
        {
            return (day, day);
        }

        m = MonthDayYear().Match(text);
        if (m.Success && TryDate(m.Groups["y"].Value, m.Groups["m"].Value, m.Groups["d"].Value, out day))
        {
            return (day, day);
        }

        m = MonthYear().Match(text);
        if (m.Success && TryDate(m.Groups["y"].Value, m.Groups["m"].Value, "1", out var first))
        {
            return (first, first.AddMonths(1).AddDays(-1));
        }

        m = Year().Match(text);
        if (m.Success)
        {
            var y = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
            return (new DateOnly(y, 1, 1), new DateOnly(y, 12, 31));
        }

        var mentions = RelativeDateResolver.Find(text, reference);
        var mention = mentions.Count > 0 ? mentions[0] : null;
        return mention is null ? null : mention.Granularity switch
        {
            DateGranularity.Day => (mention.Date, mention.Date),
            DateGranularity.Week => (mention.Date.AddDays(-3), mention.Date.AddDays(7)),
            DateGranularity.Weekend => (mention.Date, mention.Date.AddDays(1)),
            DateGranularity.Month => (new DateOnly(mention.Date.Year, mention.Date.Month, 1), new DateOnly(mention.Date.Year, mention.Date.Month, 1).AddMonths(1).AddDays(-1)),
            _ => (new DateOnly(mention.Date.Year, 1, 1), new DateOnly(mention.Date.Year, 12, 31)),
        };
    }

    private static bool TryDate(string year, string month, string day, out DateOnly date) =>
        DateOnly.TryParseExact($"{day} {month[..3]} {year}", "d MMM yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out date);

    private const string Months = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec";

    [GeneratedRegex(@"^\s*(?:when|what (?:date|day|month|year|time|week)|which (?:date|day|month|year|week)|how long ago|in what (?:year|month))\b|\bwhen\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsksWhen();

    [GeneratedRegex(@"\b(?<d>\d{1,2})(?:st|nd|rd|th)? (?<m>" + Months + @")\.?,? (?<y>(?:19|20)\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b(?<m>" + Months + @")\.? (?<d>\d{1,2})(?:st|nd|rd|th)?,? (?<y>(?:19|20)\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\b(?<m>" + Months + @")\.?,? (?<y>(?:19|20)\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MonthYear();

    [GeneratedRegex(@"\b(?:in|during|of|since) (?<y>(?:19|20)\d\d)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Year();
}
