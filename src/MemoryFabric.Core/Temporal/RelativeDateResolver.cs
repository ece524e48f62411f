using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MemoryFabric.Temporal;

/// <summary>
/// Finds relative date expressions in conversational English ("yesterday", "last week", "two years ago") and resolves
/// them against the date the sentence was said.
/// </summary>
/// <remarks>
/// <para>
/// Each mention is rendered as an absolute phrase that carries its own preposition ("on 7 May 2023", "in 2022");
/// a preposition directly before the expression ("on", "in", "at", "during", "for") is swallowed into the span so
/// that <see cref="Resolve"/> never produces "on on".
/// </para>
/// <para>Decisions on the ambiguous cases:</para>
/// <list type="bullet">
/// <item>A bare weekday ("on Friday") and "the other day" are left alone.</item>
/// <item>
/// "last/this/next" after a determiner ("the last week of the month", "my last year at school", "over the next
/// year") or before "of" ("last week of June") is a position in a sequence, not a date, and is left alone.
/// </item>
/// <item>
/// A possessive ("yesterday's news", "last year's trip") is resolved, but the span stops before "'s" and the
/// rendering has no preposition ("7 May 2023's news").
/// </item>
/// <item>
/// After a word that already relates the time ("since", "until", "by", "before", "after", "from", "to", "about",
/// "around", ...) the rendering has no preposition ("since 7 May 2023", "about 2021").
/// </item>
/// <item>"last weekend" said on a Saturday or Sunday is the previous weekend, not the current one.</item>
/// <item>"in N units" after "once", "twice" or "times" is a frequency ("three times in a week"), not a date.</item>
/// </list>
/// <para>Rendered phrases contain no relative expression, so resolving twice changes nothing.</para>
/// </remarks>
public static partial class RelativeDateResolver
{
    private const string Number =
        @"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?couple(?:\s+of)?|a\s+few";

    private const string Weekday = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";

    private const string Pattern =
        @"(?:\b(?<prep>on|in|at|during|for)\s+)?
          (?<body>\b(?:
              (?<dayBefore>(?:the\s+)?day\s+before\s+yesterday)
            | (?<dayAfter>(?:the\s+)?day\s+after\s+tomorrow)
            | (?<yesterday>yesterday(?:\s+(?:morning|afternoon|evening|night))?|last\s+night)
            | (?<today>(?:earlier\s+|later\s+)?today|tonight|this\s+(?:morning|afternoon|evening))
            | (?<tomorrow>tomorrow(?:\s+(?:morning|afternoon|evening|night))?)
            | (?<!\b(?:the|my|your|his|her|our|their|its|a|every|each|one)\s+)
              (?<rel>this\s+past|last|this|next)\s+
              (?:(?<relUnit>weekend|week|month|year)|(?<relUnit>" + Weekday + @")(?:\s+(?:morning|afternoon|evening|night))?)
              \b(?!\s+of\b)
            | (?<agoN>" + Number + @")\s+(?<agoUnit>day|week|month|year)s?\s+ago
            | (?<!\b(?:once|twice|times)\s+)in\s+(?<inN>" + Number + @")\s+(?<inUnit>day|week|month|year)s?
          ))\b";

    private static readonly HashSet<string> BarePrepositionContext = new(StringComparer.OrdinalIgnoreCase)
    {
        "since", "until", "till", "by", "before", "after", "from", "to", "through", "than", "of", "about", "around",
        "roughly", "approximately", "almost", "nearly", "over", "under", "like", "circa",
    };

    private static readonly Dictionary<string, int> NumberWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["a"] = 1, ["an"] = 1, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6,
        ["seven"] = 7, ["eight"] = 8, ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12,
        ["couple"] = 2, ["couple of"] = 2, ["a couple"] = 2, ["a couple of"] = 2, ["a few"] = 3,
    };

    [GeneratedRegex(Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture)]
    private static partial Regex MentionRegex();

    /// <summary>Finds the relative date expressions in <paramref name="text"/>.</summary>
    /// <param name="text">The text, as said on <paramref name="reference"/>.</param>
    /// <param name="reference">The date the text was said.</param>
    /// <returns>The mentions, non-overlapping, in text order.</returns>
    public static IReadOnlyList<DateMention> Find(string text, DateOnly reference)
    {
        ArgumentNullException.ThrowIfNull(text);
        var mentions = new List<DateMention>();
        foreach (Match match in MentionRegex().Matches(text))
        {
            if (TryResolve(match, reference) is not (DateOnly date, DateGranularity granularity, string rendered))
            {
                continue;
            }

            Group body = match.Groups["body"];
            int start = match.Index;
            bool possessive = IsPossessive(text, body.Index + body.Length);
            if (possessive)
            {
                start = body.Index; // keep "on" in "on yesterday's shift"; render without a preposition
            }

            if (possessive || (!match.Groups["prep"].Success && BarePrepositionContext.Contains(PreviousWord(text, start))))
            {
                rendered = rendered[(rendered.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            }

            int end = body.Index + body.Length;
            if (char.IsUpper(text[start]) && IsSentenceStart(text, start))
            {
                rendered = char.ToUpperInvariant(rendered[0]) + rendered[1..];
            }

            mentions.Add(new DateMention(start, end - start, text[start..end], date, granularity, rendered));
        }

        return mentions;
    }

    /// <summary>Rewrites <paramref name="text"/> with every relative date expression replaced by its absolute phrase.</summary>
    /// <param name="text">The text, as said on <paramref name="reference"/>.</param>
    /// <param name="reference">The date the text was said.</param>
    /// <returns>The rewritten text; the text itself when it holds no relative date.</returns>
    public static string Resolve(string text, DateOnly reference)
    {
        IReadOnlyList<DateMention> mentions = Find(text, reference);
        if (mentions.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + (mentions.Count * 16));
        int position = 0;
        foreach (DateMention mention in mentions)
        {
            builder.Append(text, position, mention.Start - position).Append(mention.Rendered);
            position = mention.Start + mention.Length;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>Formats a day as "7 May 2023" (d MMMM yyyy, invariant culture).</summary>
    /// <param name="date">The day.</param>
    /// <returns>The formatted day.</returns>
    public static string FormatDay(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static (DateOnly Date, DateGranularity Granularity, string Rendered)? TryResolve(Match match, DateOnly reference)
    {
        try
        {
            GroupCollection g = match.Groups;
            if (g["dayBefore"].Success) return Day(reference.AddDays(-2));
            if (g["dayAfter"].Success) return Day(reference.AddDays(2));
            if (g["yesterday"].Success) return Day(reference.AddDays(-1));
            if (g["today"].Success) return Day(reference);
            if (g["tomorrow"].Success) return Day(reference.AddDays(1));
            if (g["rel"].Success) return Relative(g["rel"].Value, g["relUnit"].Value, reference);
            if (g["agoN"].Success) return Offset(-ParseNumber(g["agoN"].Value), g["agoUnit"].Value, reference);
            if (g["inN"].Success) return Offset(ParseNumber(g["inN"].Value), g["inUnit"].Value, reference);
            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // beyond DateOnly's range: leave the text alone
        }
    }

    private static (DateOnly, DateGranularity, string) Relative(string rel, string unit, DateOnly reference)
    {
        int direction = rel.StartsWith("next", StringComparison.OrdinalIgnoreCase) ? 1
            : rel.StartsWith("last", StringComparison.OrdinalIgnoreCase) || rel.Contains("past", StringComparison.OrdinalIgnoreCase) ? -1
            : 0;
        string relation = direction switch { < 0 => "before", 0 => "of", _ => "after" };
        string refDay = FormatDay(reference);

        if (unit.Equals("week", StringComparison.OrdinalIgnoreCase))
        {
            return (reference.AddDays(7 * direction), DateGranularity.Week, $"in the week {relation} {refDay}");
        }

        if (unit.Equals("weekend", StringComparison.OrdinalIgnoreCase))
        {
            // The Saturday of the reference's own weekend if it falls on one, otherwise of the coming weekend.
            DateOnly thisSaturday = reference.DayOfWeek switch
            {
                DayOfWeek.Sunday => reference.AddDays(-1),
                var day => reference.AddDays(DayOfWeek.Saturday - day),
            };
            DateOnly saturday = direction switch
            {
                < 0 => thisSaturday.AddDays(-7),
                0 => thisSaturday,
                _ => thisSaturday.AddDays(7),
            };
            return (saturday, DateGranularity.Weekend, $"on the weekend {relation} {refDay}");
        }

        if (unit.Equals("month", StringComparison.OrdinalIgnoreCase))
        {
            return Month(new DateOnly(reference.Year, reference.Month, 1).AddMonths(direction));
        }

        if (unit.Equals("year", StringComparison.OrdinalIgnoreCase))
        {
            return Year(reference.Year + direction);
        }

        var weekday = Enum.Parse<DayOfWeek>(unit, ignoreCase: true);
        int ahead = ((int)weekday - (int)reference.DayOfWeek + 7) % 7;
        int behind = ((int)reference.DayOfWeek - (int)weekday + 7) % 7;
        DateOnly date = direction switch
        {
            < 0 => reference.AddDays(-(behind == 0 ? 7 : behind)),
            0 => reference.AddDays(ahead),
            _ => reference.AddDays(ahead == 0 ? 7 : ahead),
        };
        return (date, DateGranularity.Day, $"on {date.DayOfWeek}, {FormatDay(date)}");
    }

    private static (DateOnly, DateGranularity, string) Offset(int count, string unit, DateOnly reference)
    {
        switch (unit.ToUpperInvariant())
        {
            case "DAY":
                return Day(reference.AddDays(count));
            case "WEEK":
                DateOnly anchor = reference.AddDays(7 * count);
                return (anchor, DateGranularity.Week, $"in the week of {FormatDay(anchor)}");
            case "MONTH":
                return Month(new DateOnly(reference.Year, reference.Month, 1).AddMonths(count));
            default:
                return Year(reference.Year + count);
        }
    }

    private static (DateOnly, DateGranularity, string) Day(DateOnly date) =>
        (date, DateGranularity.Day, $"on {FormatDay(date)}");

    private static (DateOnly, DateGranularity, string) Month(DateOnly first) =>
        (first, DateGranularity.Month, "in " + first.ToString("MMMM yyyy", CultureInfo.InvariantCulture));

    private static (DateOnly, DateGranularity, string) Year(int year) =>
        (new DateOnly(year, 1, 1), DateGranularity.Year, "in " + year.ToString(CultureInfo.InvariantCulture));

    private static int ParseNumber(string value)
    {
        string normalized = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return NumberWords.TryGetValue(normalized, out int n) ? n : int.Parse(normalized, CultureInfo.InvariantCulture);
    }

    private static bool IsPossessive(string text, int end) =>
        end + 1 < text.Length
        && text[end] is '\'' or '\u2019'
        && text[end + 1] is 's' or 'S'
        && (end + 2 == text.Length || !char.IsLetterOrDigit(text[end + 2]));

    private static bool IsSentenceStart(string text, int start)
    {
        int i = start;
        while (i > 0 && char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return i == 0 || text[i - 1] is '.' or '!' or '?' or '\n' or '"' or '\u201C' || (i < start && text[i - 1] == ':');
    }

    private static string PreviousWord(string text, int start)
    {
        int end = start;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        int begin = end;
        while (begin > 0 && char.IsLetter(text[begin - 1]))
        {
            begin--;
        }

        return text[begin..end];
    }
}
