using MemoryFabric.Decay;
using MemoryFabric.Notes;

namespace MemoryFabric.Core.Tests.Decay;

public sealed class ForgettingCurveTests
{
    private static readonly DateTimeOffset T0 = new(2023, 5, 8, 0, 0, 0, TimeSpan.Zero);

    private static Note Note(double importance = 0.5, int recalls = 0, double strength = 1.0) => new()
    {
        Id = "n1",
        LineageId = "n1",
        Kind = NoteKind.Fact,
        Text = "Melanie loves pottery.",
        Subject = "Melanie",
        Provenance = new NoteProvenance([], null, "api", "1"),
        Importance = importance,
        RecallCount = recalls,
        Strength = strength,
        LastRecalledAt = T0,
        CreatedAt = T0,
    };

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 0)]
    [InlineData(1.0, 0)]
    [InlineData(0.5, 2)]
    public void Half_life_grows_with_importance_and_recalls(double importance, int recalls)
    {
        var curve = new ForgettingCurve(new ForgettingCurveOptions { BaseHalfLife = TimeSpan.FromDays(10) });

        Assert.Equal(TimeSpan.FromDays(10 * (1 + importance) * (1 + recalls)), curve.HalfLife(Note(importance, recalls)));
    }

    [Fact]
    public void Strength_halves_after_each_half_life()
    {
        var curve = new ForgettingCurve();
        var note = Note(importance: 0.5, recalls: 1);
        var halfLife = TimeSpan.FromDays(30) * 1.5 * 2;

        Assert.Equal(1.0, curve.StrengthAt(note, T0), 9);
        Assert.Equal(0.5, curve.StrengthAt(note, T0 + halfLife), 9);
        Assert.Equal(0.25, curve.StrengthAt(note, T0 + (2 * halfLife)), 9);
        Assert.Equal(0.4, curve.StrengthAt(Note(0.5, 1, strength: 0.8), T0 + halfLife), 9);
    }

    [Fact]
    public void Strength_does_not_grow_before_the_last_recall()
    {
        Assert.Equal(0.7, new ForgettingCurve().StrengthAt(Note(strength: 0.7), T0.AddDays(-3)), 9);
    }

    [Fact]
    public void Reinforce_restores_strength_counts_the_recall_and_restarts_the_clock()
    {
        var curve = new ForgettingCurve();
        var later = T0.AddDays(40);
        var weak = Note() with { Strength = curve.StrengthAt(Note(), later) };

        var reinforced = ForgettingCurve.Reinforce(weak, later);

        Assert.True(weak.Strength < 0.6);
        Assert.Equal(1.0, reinforced.Strength);
        Assert.Equal(1, reinforced.RecallCount);
        Assert.Equal(later, reinforced.LastRecalledAt);
        Assert.Equal(2 * curve.HalfLife(weak), curve.HalfLife(reinforced));
        Assert.Equal(0.5, curve.StrengthAt(reinforced, later + curve.HalfLife(reinforced)), 9);
    }

    [Fact]
    public void Archive_threshold_comes_from_the_options()
    {
        Assert.Equal(0.05, new ForgettingCurve().ArchiveThreshold);
        Assert.Equal(0.2, new ForgettingCurve(new ForgettingCurveOptions { ArchiveThreshold = 0.2 }).ArchiveThreshold);
    }
}
