namespace MemoryFabric.Temporal;

/// <summary>How precise a resolved <see cref="DateMention"/> is.</summary>
public enum DateGranularity
{
    /// <summary>One calendar day ("yesterday", "last Friday", "3 days ago").</summary>
    Day,

    /// <summary>A week around <see cref="DateMention.Date"/> ("last week", "2 weeks ago").</summary>
    Week,

    /// <summary>A weekend; <see cref="DateMention.Date"/> is its Saturday ("last weekend").</summary>
    Weekend,

    /// <summary>A calendar month; <see cref="DateMention.Date"/> is its first day ("last month").</summary>
    Month,

    /// <summary>A calendar year; <see cref="DateMention.Date"/> is 1 January ("last year").</summary>
    Year,
}
