using System.Globalization;
using System.Text;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>Fills <c>{slot}</c> templates and formats dates the way answers give them.</summary>
internal static partial class Templates
{
    /// <summary>Replaces each <c>{key}</c> with its value.</summary>
    public static string Fill(string template, params (string Key, string Value)[] slots)
    {
        ArgumentNullException.ThrowIfNull(template);
        var sb = new StringBuilder(template);
        foreach (var (key, value) in slots)
        {
            sb.Replace("{" + key + "}", value);
        }

        return Articles(sb.ToString());
    }

    /// <summary>"a" before a vowel becomes "an" ("a electrician" → "an electrician").</summary>
    public static string Articles(string text) => AnBeforeVowel().Replace(text, m => m.Groups[1].Value == "A" ? "An " : "an ");

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(a|A) (?=[aeiouAEIOU])")]
    private static partial System.Text.RegularExpressions.Regex AnBeforeVowel();

    /// <summary>Upper-cases the first letter.</summary>
    public static string Capitalize(string text) =>
        string.IsNullOrEmpty(text) ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Ends a sentence with a full stop unless it has punctuation already.</summary>
    public static string Sentence(string text)
    {
        var t = Capitalize(text.Trim());
        return t.Length == 0 || ".!?)".Contains(t[^1], StringComparison.Ordinal) ? t : t + ".";
    }

    /// <summary>A day as answers give it: <c>8 May 2024</c>.</summary>
    public static string Day(DateTimeOffset date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>A month as questions give it: <c>May 2024</c>.</summary>
    public static string Month(DateTimeOffset date) => date.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>A day without the year: <c>8 May</c>.</summary>
    public static string DayMonth(DateTimeOffset date) => date.ToString("d MMMM", CultureInfo.InvariantCulture);

    /// <summary>A relative way of naming a day shortly before (or on) the session date, and that day: "today",
    /// "yesterday", "last Saturday", "on 3 March".</summary>
    public static (string Phrase, DateTimeOffset Day) RelativeDay(SeededRandom random, DateTimeOffset sessionDate)
    {
        ArgumentNullException.ThrowIfNull(random);
        var roll = random.Next(5);
        switch (roll)
        {
            case 0:
                return (random.Chance(0.5) ? "today" : "this morning", sessionDate);
            case 1:
                return ("yesterday", sessionDate.AddDays(-1));
            case 2:
                {
                    var back = random.Next(2, 8);
                    var day = sessionDate.AddDays(-back);
                    return ($"last {day.DayOfWeek.ToString()}", day);
                }

            default:
                {
                    var day = sessionDate.AddDays(-random.Next(2, 8));
                    return ($"on {DayMonth(day)}", day);
                }
        }
    }

    /// <summary>A number of people, minutes and so on as digits.</summary>
    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
