using System.Globalization;
using MemoryFabric.Temporal;

namespace MemoryFabric.Core.Tests.Temporal;

public sealed class RelativeDateResolverTests
{
    // 8 May 2023 is a Monday.
    private static readonly DateOnly May8 = new(2023, 5, 8);

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Theory]
    // days
    [InlineData("2023-05-08", "yesterday", "2023-05-07", DateGranularity.Day, "on 7 May 2023")]
    [InlineData("2023-05-08", "the day before yesterday", "2023-05-06", DateGranularity.Day, "on 6 May 2023")]
    [InlineData("2023-05-08", "today", "2023-05-08", DateGranularity.Day, "on 8 May 2023")]
    [InlineData("2023-05-08", "tonight", "2023-05-08", DateGranularity.Day, "on 8 May 2023")]
    [InlineData("2023-05-08", "this morning", "2023-05-08", DateGranularity.Day, "on 8 May 2023")]
    [InlineData("2023-05-08", "this evening", "2023-05-08", DateGranularity.Day, "on 8 May 2023")]
    [InlineData("2023-05-08", "earlier today", "2023-05-08", DateGranularity.Day, "on 8 May 2023")]
    [InlineData("2023-05-08", "tomorrow", "2023-05-09", DateGranularity.Day, "on 9 May 2023")]
    [InlineData("2023-05-08", "the day after tomorrow", "2023-05-10", DateGranularity.Day, "on 10 May 2023")]
    [InlineData("2023-05-08", "last night", "2023-05-07", DateGranularity.Day, "on 7 May 2023")]
    [InlineData("2023-05-08", "yesterday morning", "2023-05-07", DateGranularity.Day, "on 7 May 2023")]
    // weeks and weekends
    [InlineData("2023-05-08", "last week", "2023-05-01", DateGranularity.Week, "in the week before 8 May 2023")]
    [InlineData("2023-05-08", "this week", "2023-05-08", DateGranularity.Week, "in the week of 8 May 2023")]
    [InlineData("2023-05-08", "next week", "2023-05-15", DateGranularity.Week, "in the week after 8 May 2023")]
    [InlineData("2023-05-08", "this past week", "2023-05-01", DateGranularity.Week, "in the week before 8 May 2023")]
    [InlineData("2023-01-03", "last week", "2022-12-27", DateGranularity.Week, "in the week before 3 January 2023")]
    [InlineData("2023-05-08", "last weekend", "2023-05-06", DateGranularity.Weekend, "on the weekend before 8 May 2023")]
    [InlineData("2023-05-08", "this weekend", "2023-05-13", DateGranularity.Weekend, "on the weekend of 8 May 2023")]
    [InlineData("2023-05-08", "next weekend", "2023-05-20", DateGranularity.Weekend, "on the weekend after 8 May 2023")]
    [InlineData("2023-05-14", "last weekend", "2023-05-06", DateGranularity.Weekend, "on the weekend before 14 May 2023")]
    [InlineData("2023-05-14", "this weekend", "2023-05-13", DateGranularity.Weekend, "on the weekend of 14 May 2023")]
    // months and years, with boundaries
    [InlineData("2023-05-08", "last month", "2023-04-01", DateGranularity.Month, "in April 2023")]
    [InlineData("2023-05-08", "this month", "2023-05-01", DateGranularity.Month, "in May 2023")]
    [InlineData("2023-05-08", "next month", "2023-06-01", DateGranularity.Month, "in June 2023")]
    [InlineData("2023-01-15", "last month", "2022-12-01", DateGranularity.Month, "in December 2022")]
    [InlineData("2022-12-31", "next month", "2023-01-01", DateGranularity.Month, "in January 2023")]
    [InlineData("2023-03-31", "last month", "2023-02-01", DateGranularity.Month, "in February 2023")]
    [InlineData("2023-05-08", "last year", "2022-01-01", DateGranularity.Year, "in 2022")]
    [InlineData("2023-05-08", "this year", "2023-01-01", DateGranularity.Year, "in 2023")]
    [InlineData("2023-05-08", "next year", "2024-01-01", DateGranularity.Year, "in 2024")]
    [InlineData("2023-01-01", "last year", "2022-01-01", DateGranularity.Year, "in 2022")]
    // weekdays
    [InlineData("2023-05-08", "last Friday", "2023-05-05", DateGranularity.Day, "on Friday, 5 May 2023")]
    [InlineData("2023-05-08", "this past Friday", "2023-05-05", DateGranularity.Day, "on Friday, 5 May 2023")]
    [InlineData("2023-05-08", "next Friday", "2023-05-12", DateGranularity.Day, "on Friday, 12 May 2023")]
    [InlineData("2023-05-08", "this Friday", "2023-05-12", DateGranularity.Day, "on Friday, 12 May 2023")]
    [InlineData("2023-05-08", "last Monday", "2023-05-01", DateGranularity.Day, "on Monday, 1 May 2023")]
    [InlineData("2023-05-08", "this Monday", "2023-05-08", DateGranularity.Day, "on Monday, 8 May 2023")]
    [InlineData("2023-05-08", "next Monday", "2023-05-15", DateGranularity.Day, "on Monday, 15 May 2023")]
    [InlineData("2023-01-02", "last Friday", "2022-12-30", DateGranularity.Day, "on Friday, 30 December 2022")]
    [InlineData("2023-05-08", "last Friday night", "2023-05-05", DateGranularity.Day, "on Friday, 5 May 2023")]
    // N units ago / in N units
    [InlineData("2023-05-08", "two years ago", "2021-01-01", DateGranularity.Year, "in 2021")]
    [InlineData("2023-05-08", "a year ago", "2022-01-01", DateGranularity.Year, "in 2022")]
    [InlineData("2023-05-08", "3 weeks ago", "2023-04-17", DateGranularity.Week, "in the week of 17 April 2023")]
    [InlineData("2023-05-08", "one week ago", "2023-05-01", DateGranularity.Week, "in the week of 1 May 2023")]
    [InlineData("2023-05-08", "5 days ago", "2023-05-03", DateGranularity.Day, "on 3 May 2023")]
    [InlineData("2023-05-08", "a couple of days ago", "2023-05-06", DateGranularity.Day, "on 6 May 2023")]
    [InlineData("2023-05-08", "a few months ago", "2023-02-01", DateGranularity.Month, "in February 2023")]
    [InlineData("2023-05-08", "twelve months ago", "2022-05-01", DateGranularity.Month, "in May 2022")]
    [InlineData("2023-05-08", "in 3 days", "2023-05-11", DateGranularity.Day, "on 11 May 2023")]
    [InlineData("2023-05-08", "in two weeks", "2023-05-22", DateGranularity.Week, "in the week of 22 May 2023")]
    [InlineData("2023-05-08", "in a month", "2023-06-01", DateGranularity.Month, "in June 2023")]
    [InlineData("2023-05-08", "in 2 years", "2025-01-01", DateGranularity.Year, "in 2025")]
    // leap years
    [InlineData("2024-03-01", "yesterday", "2024-02-29", DateGranularity.Day, "on 29 February 2024")]
    [InlineData("2024-02-28", "tomorrow", "2024-02-29", DateGranularity.Day, "on 29 February 2024")]
    [InlineData("2023-03-01", "yesterday", "2023-02-28", DateGranularity.Day, "on 28 February 2023")]
    [InlineData("2024-03-07", "8 days ago", "2024-02-28", DateGranularity.Day, "on 28 February 2024")]
    [InlineData("2024-02-29", "a year ago", "2023-01-01", DateGranularity.Year, "in 2023")]
    public void Find_resolves_the_expression(string reference, string phrase, string date, DateGranularity granularity, string rendered)
    {
        DateMention mention = Assert.Single(RelativeDateResolver.Find(phrase, D(reference)));

        Assert.Equal(new DateMention(0, phrase.Length, phrase, D(date), granularity, rendered), mention);
    }

    [Theory]
    [InlineData("I went to a LGBTQ support group yesterday and it was so powerful.",
        "I went to a LGBTQ support group on 7 May 2023 and it was so powerful.")]
    [InlineData("I painted that lake sunrise last year", "I painted that lake sunrise in 2022")]
    [InlineData("Did you go yesterday?", "Did you go on 7 May 2023?")]
    [InlineData("We met on last Friday, at noon.", "We met on Friday, 5 May 2023, at noon.")]
    [InlineData("I'm moving in next month!", "I'm moving in June 2023!")]
    [InlineData("We went camping during last weekend.", "We went camping on the weekend before 8 May 2023.")]
    [InlineData("Yesterday I went hiking.", "On 7 May 2023 I went hiking.")]
    [InlineData("Last week I ran, and next month I race.", "In the week before 8 May 2023 I ran, and in June 2023 I race.")]
    [InlineData("LAST YEAR was rough", "In 2022 was rough")]
    [InlineData("I started pottery about two years ago.", "I started pottery about 2021.")]
    [InlineData("I've been sober since last year.", "I've been sober since 2022.")]
    [InlineData("It's due by next Friday.", "It's due by Friday, 12 May 2023.")]
    [InlineData("She joined 3 weeks ago and leaves in two weeks.",
        "She joined in the week of 17 April 2023 and leaves in the week of 22 May 2023.")]
    public void Resolve_rewrites_sentences(string sentence, string expected)
    {
        Assert.Equal(expected, RelativeDateResolver.Resolve(sentence, May8));
    }

    [Theory]
    [InlineData("I read yesterday's news.", "I read 7 May 2023's news.")]
    [InlineData("It came up on yesterday's call.", "It came up on 7 May 2023's call.")]
    [InlineData("Last year\u2019s trip was the best.", "2022\u2019s trip was the best.")]
    public void Possessives_resolve_the_date_without_a_preposition(string sentence, string expected)
    {
        Assert.Equal(expected, RelativeDateResolver.Resolve(sentence, May8));
    }

    [Theory]
    [InlineData("It was the last week of the month.")] // a position in a sequence, not "last week"
    [InlineData("We went camping last week of June.")]
    [InlineData("During the last week I was busy.")]
    [InlineData("My last year at school was hard.")]
    [InlineData("Over the next year I want to travel.")]
    [InlineData("The last Friday of the month is payday.")]
    [InlineData("I'll see you on Friday.")] // bare weekday: ambiguous
    [InlineData("We met the other day.")]
    [InlineData("Those were my yesterdays.")]
    [InlineData("Todays and tomorrows.")]
    [InlineData("At last, we won.")]
    [InlineData("I go running three times in a week.")]
    [InlineData("I went there on 7 May 2023 and in 2022.")]
    [InlineData("")]
    public void Leaves_non_relative_text_alone(string sentence)
    {
        Assert.Empty(RelativeDateResolver.Find(sentence, May8));
        Assert.Same(sentence, RelativeDateResolver.Resolve(sentence, May8));
    }

    [Theory]
    [InlineData("Yesterday I went to the support group, last weekend I went camping and next month I'll visit.")]
    [InlineData("We met on last Friday; it's due in 3 days and I quit two years ago.")]
    public void Resolve_is_idempotent(string sentence)
    {
        string once = RelativeDateResolver.Resolve(sentence, May8);

        Assert.NotEqual(sentence, once);
        Assert.Equal(once, RelativeDateResolver.Resolve(once, May8));
        Assert.Equal(once, RelativeDateResolver.Resolve(once, May8.AddDays(100)));
    }

    [Fact]
    public void Find_returns_spans_in_text_order()
    {
        const string text = "I went to a LGBTQ support group yesterday, and on last Friday, and I'll go again in 2 weeks.";

        IReadOnlyList<DateMention> mentions = RelativeDateResolver.Find(text, May8);

        Assert.Collection(
            mentions,
            m => Assert.Equal((text.IndexOf("yesterday", StringComparison.Ordinal), 9, "yesterday"), (m.Start, m.Length, m.Text)),
            m => Assert.Equal((text.IndexOf("on last", StringComparison.Ordinal), 14, "on last Friday"), (m.Start, m.Length, m.Text)),
            m => Assert.Equal((text.IndexOf("in 2 weeks", StringComparison.Ordinal), 10, "in 2 weeks"), (m.Start, m.Length, m.Text)));
        Assert.All(mentions, m => Assert.Equal(m.Text, text.Substring(m.Start, m.Length)));
    }

    [Fact]
    public void Find_swallows_a_preceding_preposition()
    {
        DateMention at = Assert.Single(RelativeDateResolver.Find("We'll meet at tonight's show or for next week", May8).Skip(1));
        DateMention possessive = RelativeDateResolver.Find("We'll meet at tonight's show", May8)[0];

        Assert.Equal("for next week", at.Text);
        Assert.Equal("in the week after 8 May 2023", at.Rendered);
        Assert.Equal("tonight", possessive.Text); // a possessive keeps its preposition in the text
        Assert.Equal("8 May 2023", possessive.Rendered);
    }

    [Fact]
    public void Find_is_case_insensitive_and_keeps_the_original_text()
    {
        DateMention mention = Assert.Single(RelativeDateResolver.Find("it was Last FRIDAY.", May8));

        Assert.Equal("Last FRIDAY", mention.Text);
        Assert.Equal(new DateOnly(2023, 5, 5), mention.Date);
        Assert.Equal("on Friday, 5 May 2023", mention.Rendered); // capitalized only at the start of a sentence
    }

    [Fact]
    public void Out_of_range_dates_are_left_alone()
    {
        Assert.Empty(RelativeDateResolver.Find("yesterday", DateOnly.MinValue));
        Assert.Empty(RelativeDateResolver.Find("next year", DateOnly.MaxValue));
    }

    [Theory]
    [InlineData("2023-05-07", "7 May 2023")]
    [InlineData("2024-02-29", "29 February 2024")]
    [InlineData("2023-12-31", "31 December 2023")]
    public void FormatDay_uses_day_month_year(string date, string expected)
    {
        Assert.Equal(expected, RelativeDateResolver.FormatDay(D(date)));
    }
}
