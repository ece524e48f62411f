using MemoryFabric.Notes;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Core.Tests.Retrieval;

public sealed class ItemStatusResolverTests
{
    private static readonly DateTimeOffset T1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T3 = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly NoteStore _store = new();
    private readonly NoteSourceIndex _sources = new();

    public ItemStatusResolverTests()
    {
        _store.Observer = _sources.OnChanged;
    }

    private static NoteProvenance From(params string[] turns) => new(turns, null, "api", "1");

    private static NoteWrite Home(string city, DateTimeOffset from) =>
        new() { Text = $"Alice lives in {city}.", Subject = "Alice", Attribute = "home", Value = city, ValidFrom = from };

    private ItemStatusResolver At(DateTimeOffset asOf) => new(_store, _sources, asOf);

    [Fact]
    public void A_superseded_note_and_its_only_source_turn_say_what_replaced_them_and_its_successor_is_the_current_version()
    {
        var paris = _store.Add(Home("Paris", T1), From("p"), T1).Note;
        var berlin = _store.Add(Home("Berlin", T2), From("b"), T2).Note;
        var rome = _store.Add(Home("Rome", T3), From("r"), T3).Note;

        var resolver = At(T3.AddDays(1));
        var note = resolver.Of(MemoryItemKind.Note, paris.Id);
        var turn = resolver.Of(MemoryItemKind.Turn, "p");

        Assert.Equal(MemoryItemStatus.Superseded, note.Status);
        Assert.Equal(berlin.Id, note.SupersededBy); // the direct replacement
        Assert.Equal(rome.Id, note.Successor!.Id); // the end of the chain, which holds now
        Assert.Equal((T1, T2), (note.ValidFrom!.Value, note.ValidTo!.Value));
        Assert.Equal(note with { Successor = null }, turn with { Successor = null });
        Assert.Equal(rome.Id, turn.Successor!.Id);
        Assert.Equal(MemoryItemStatus.Active, resolver.Of(MemoryItemKind.Turn, "r").Status);
        Assert.Equal(MemoryItemStatus.Active, resolver.Of(MemoryItemKind.Turn, "unrelated").Status);
        Assert.Equal(MemoryItemStatus.Active, resolver.Of(MemoryItemKind.Episode, "ep").Status);
    }

    [Fact]
    public void A_turn_that_also_carries_an_active_note_stays_active()
    {
        _store.Add(Home("Paris", T1), From("p"), T1);
        _store.Add(new NoteWrite { Text = "Alice loves the bakeries.", Subject = "Alice" }, From("p"), T1);
        _store.Add(Home("Berlin", T2), From("b"), T2);

        Assert.Equal(MemoryItemStatus.Active, At(T3).Of(MemoryItemKind.Turn, "p").Status);
    }

    [Fact]
    public void An_active_note_whose_validity_ended_is_expired_from_then_on_and_so_is_its_only_source()
    {
        var visa = NoteStore.Create(new NoteWrite { Text = "Alice has a visa.", Subject = "Alice" }, From("v"), "n_visa", "n_visa", 1, T1) with { ValidTo = T2 };
        _store.Restore(visa);

        Assert.Equal(MemoryItemStatus.Active, At(T2.AddDays(-1)).Of(MemoryItemKind.Note, "n_visa").Status);
        var expired = At(T2).Of(MemoryItemKind.Note, "n_visa");
        Assert.Equal(MemoryItemStatus.Expired, expired.Status);
        Assert.Equal(T2, expired.ValidTo);
        Assert.Null(expired.Successor);
        Assert.Equal(MemoryItemStatus.Expired, At(T3).Of(MemoryItemKind.Turn, "v").Status);
    }

    [Fact]
    public void The_source_index_follows_purges_and_a_new_store()
    {
        var paris = _store.Add(Home("Paris", T1), From("p"), T1).Note;
        _store.Add(Home("Berlin", T2), From("b"), T2);
        Assert.Equal(MemoryItemStatus.Superseded, At(T3).Of(MemoryItemKind.Turn, "p").Status);

        _store.Purge(paris.Id); // the whole lineage
        Assert.Empty(_sources.NotesCiting(_store, "p"));
        Assert.Empty(_sources.NotesCiting(_store, "b"));
        Assert.Equal(MemoryItemStatus.Active, At(T3).Of(MemoryItemKind.Turn, "p").Status);

        var other = new NoteStore();
        other.Add(Home("Oslo", T1), From("o"), T1);
        other.Add(Home("Lima", T2), From("l"), T2);
        Assert.Equal(MemoryItemStatus.Superseded, new ItemStatusResolver(other, _sources, T3).Of(MemoryItemKind.Turn, "o").Status);
        Assert.Single(_sources.NotesCiting(other, "l"));
    }
}
