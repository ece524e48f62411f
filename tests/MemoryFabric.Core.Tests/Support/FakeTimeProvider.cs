namespace MemoryFabric.Core.Tests.Support;

/// <summary>A settable clock for deterministic tests (Microsoft.Extensions.TimeProvider.Testing is not available).</summary>
public sealed class FakeTimeProvider : TimeProvider
{
    public FakeTimeProvider(DateTimeOffset start)
    {
        UtcNow = start;
    }

    /// <summary>The current time; settable.</summary>
    public DateTimeOffset UtcNow { get; set; }

    public override DateTimeOffset GetUtcNow() => UtcNow;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock forward.</summary>
    /// <param name="delta">How much; must not be negative.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        UtcNow += delta;
    }
}
