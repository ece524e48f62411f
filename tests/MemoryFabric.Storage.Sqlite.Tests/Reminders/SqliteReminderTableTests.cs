using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Reminders;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Storage.Sqlite.Tests.Reminders;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class SqliteReminderTableTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly GrainId Alice = GrainId.Create("agent", "acme/alice");
    private static readonly GrainId Bob = GrainId.Create("agent", "acme/bob");
    private static readonly DateTime Start = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _directory = new();
    private SqliteActorStore _store = null!;
    private SqliteReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        (_store, _table) = Open();
        await ((IReminderTable)_table).StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Upsert_returns_an_etag_that_changes_on_every_upsert()
    {
        var first = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        var second = await _table.UpsertRow(Entry(Alice, "consolidate", Start.AddMinutes(5), TimeSpan.FromMinutes(10)));
        var third = await _table.UpsertRow(Entry(Alice, "consolidate", Start.AddMinutes(5), TimeSpan.FromMinutes(10)));
        var other = await _table.UpsertRow(Entry(Bob, "consolidate", Start, TimeSpan.FromMinutes(5)));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.NotNull(other);
        Assert.Equal(3, new[] { first, second, third }.Distinct(StringComparer.Ordinal).Count());

        // The upsert replaced the row (one row, the last values) and the row carries the last ETag.
        var row = await _table.ReadRow(Alice, "consolidate");
        Assert.NotNull(row);
        Assert.Equal(third, row.ETag);
        Assert.Equal(Start.AddMinutes(5), row.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(10), row.Period);
        Assert.Single((await _table.ReadRows(Alice)).Reminders);
        Assert.Equal(other, (await _table.ReadRow(Bob, "consolidate"))!.ETag);
    }

    [Fact]
    public async Task Rows_are_read_by_grain_and_by_name_with_every_field()
    {
        await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        await _table.UpsertRow(Entry(Alice, "decay", Start.AddHours(1), TimeSpan.FromHours(1)));
        await _table.UpsertRow(Entry(Bob, "consolidate", Start, TimeSpan.FromMinutes(7)));

        var alice = (await _table.ReadRows(Alice)).Reminders;
        Assert.Equal(["consolidate", "decay"], alice.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(alice, r => Assert.Equal(Alice, r.GrainId));
        Assert.Equal(Bob, Assert.Single((await _table.ReadRows(Bob)).Reminders).GrainId);
        Assert.Empty((await _table.ReadRows(GrainId.Create("agent", "acme/carol"))).Reminders);

        var decay = await _table.ReadRow(Alice, "decay");
        Assert.NotNull(decay);
        Assert.Equal(Alice, decay.GrainId);
        Assert.Equal("decay", decay.ReminderName);
        Assert.Equal(Start.AddHours(1), decay.StartAt);
        Assert.Equal(DateTimeKind.Utc, decay.StartAt.Kind);
        Assert.Equal(TimeSpan.FromHours(1), decay.Period);
        Assert.False(string.IsNullOrEmpty(decay.ETag));

        Assert.Null(await _table.ReadRow(Alice, "missing"));
        Assert.Null(await _table.ReadRow(GrainId.Create("agent", "acme/carol"), "decay"));
    }

    [Fact]
    public async Task Ring_ranges_are_begin_exclusive_end_inclusive_and_wrap_when_begin_is_not_below_end()
    {
        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("agent", "t/" + i)).ToList();
        foreach (var grain in grains)
        {
            await _table.UpsertRow(Entry(grain, "r", Start, TimeSpan.FromMinutes(1)));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Distinct().Order().ToList();
        Assert.Equal(grains.Count, hashes.Count);

        // The hashes span the whole unsigned range (values above int.MaxValue must not be read back as negative).
        Assert.Contains(hashes, h => h > int.MaxValue);
        Assert.Contains(hashes, h => h < int.MaxValue);
        var high = hashes.Where(h => h > int.MaxValue).ToList();
        Assert.True(high.Count >= 3);

        (uint Begin, uint End)[] ranges =
        [
            (hashes[3], hashes[7]),                  // (h3, h7]: h4..h7
            (hashes[3] - 1, hashes[3]),              // just h3
            (hashes[3], hashes[3] + 1),              // nothing (begin is exclusive)
            (high[0], high[^1]),                     // within the upper half
            (hashes[^5], hashes[4]),                 // wraps: above h[^5] and up to h4
            (hashes[^1], hashes[0]),                 // wraps: only h0
            (uint.MaxValue, hashes[1]),              // wraps at the end of the ring: h0, h1
            (hashes[10], hashes[10]),                // begin == end: the whole ring
            (0, 0),                                  // the whole ring
            (0, uint.MaxValue),                      // everything but a hash of 0
        ];

        foreach (var (begin, end) in ranges)
        {
            var expected = grains
                .Where(g => InRange(g.GetUniformHashCode(), begin, end))
                .Select(g => g.ToString())
                .Order(StringComparer.Ordinal)
                .ToList();
            var actual = (await _table.ReadRows(begin, end)).Reminders
                .Select(r => r.GrainId.ToString())
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(expected.SequenceEqual(actual), $"ReadRows({begin}, {end}): expected {expected.Count} rows, got {actual.Count}.");
        }

        // Spot checks of the expectations themselves.
        Assert.Equal(4, (await _table.ReadRows(hashes[3], hashes[7])).Reminders.Count);
        Assert.Single((await _table.ReadRows(hashes[3] - 1, hashes[3])).Reminders);
        Assert.Empty((await _table.ReadRows(hashes[3], hashes[3] + 1)).Reminders);
        Assert.Equal(9, (await _table.ReadRows(hashes[^5], hashes[4])).Reminders.Count);
        Assert.Equal(grains.Count, (await _table.ReadRows(hashes[10], hashes[10])).Reminders.Count);
    }

    [Fact]
    public async Task Remove_with_a_stale_etag_keeps_the_row_and_with_the_current_one_removes_it()
    {
        var stale = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        var current = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(6)));
        await _table.UpsertRow(Entry(Alice, "decay", Start, TimeSpan.FromMinutes(5)));

        Assert.False(await _table.RemoveRow(Alice, "consolidate", stale!));
        Assert.False(await _table.RemoveRow(Alice, "consolidate", "not-an-etag"));
        Assert.False(await _table.RemoveRow(Bob, "consolidate", current!));
        var kept = await _table.ReadRow(Alice, "consolidate");
        Assert.NotNull(kept);
        Assert.Equal(current, kept.ETag);
        Assert.Equal(TimeSpan.FromMinutes(6), kept.Period);

        Assert.True(await _table.RemoveRow(Alice, "consolidate", current!));
        Assert.Null(await _table.ReadRow(Alice, "consolidate"));
        Assert.False(await _table.RemoveRow(Alice, "consolidate", current!));

        // The grain's other reminder is untouched.
        Assert.Equal("decay", Assert.Single((await _table.ReadRows(Alice)).Reminders).ReminderName);
    }

    [Fact]
    public async Task A_removed_reminder_registered_again_gets_an_etag_the_old_one_does_not_match()
    {
        var old = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        Assert.True(await _table.RemoveRow(Alice, "consolidate", old!));
        var again = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));

        // An ETag handed out before the removal must not remove the new registration.
        Assert.NotEqual(old, again);
        Assert.False(await _table.RemoveRow(Alice, "consolidate", old!));
        Assert.NotNull(await _table.ReadRow(Alice, "consolidate"));
    }

    [Fact]
    public async Task Rows_survive_closing_and_reopening_the_database()
    {
        var etag = await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        await _table.UpsertRow(Entry(Bob, "decay", Start.AddDays(1), TimeSpan.FromDays(1)));
        await _store.DisposeAsync();

        (_store, _table) = Open();
        var alice = await _table.ReadRow(Alice, "consolidate");
        Assert.NotNull(alice);
        Assert.Equal(etag, alice.ETag);
        Assert.Equal(Start, alice.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(5), alice.Period);
        var bob = Assert.Single((await _table.ReadRows(Bob)).Reminders);
        Assert.Equal(Start.AddDays(1), bob.StartAt);
        Assert.Equal(2, (await _table.ReadRows(0, 0)).Reminders.Count);

        // ETags keep counting after the reopen; the one from before still removes the row.
        var next = await _table.UpsertRow(Entry(Bob, "decay", Start.AddDays(2), TimeSpan.FromDays(1)));
        Assert.NotEqual(bob.ETag, next);
        Assert.True(await _table.RemoveRow(Alice, "consolidate", etag!));
    }

    [Fact]
    public async Task Reminder_writes_and_store_writes_share_the_database_without_failing()
    {
        var appends = Enumerable.Range(0, 200)
            .Select(i => _store.AppendAsync(new ActorId("agent", "t/" + (i % 10)), [new byte[] { (byte)i }]))
            .ToList();
        var upserts = Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => _table.UpsertRow(Entry(GrainId.Create("agent", "t/" + i), "r", Start, TimeSpan.FromMinutes(1)))))
            .ToList();

        await Task.WhenAll(appends);
        var etags = await Task.WhenAll(upserts);

        Assert.All(etags, e => Assert.False(string.IsNullOrEmpty(e)));
        Assert.Equal(50, (await _table.ReadRows(0, 0)).Reminders.Count);
        Assert.Equal(20, (await _store.LoadAsync(new ActorId("agent", "t/3"))).Journal.Count);
    }

    [Fact]
    public async Task Test_only_clear_empties_the_table()
    {
        await _table.UpsertRow(Entry(Alice, "consolidate", Start, TimeSpan.FromMinutes(5)));
        await _table.UpsertRow(Entry(Bob, "consolidate", Start, TimeSpan.FromMinutes(5)));

        await _table.TestOnlyClearTable();

        Assert.Empty((await _table.ReadRows(0, 0)).Reminders);
    }

    private (SqliteActorStore Store, SqliteReminderTable Table) Open()
    {
        var store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        return (store, new SqliteReminderTable(store));
    }

    private static ReminderEntry Entry(GrainId grain, string name, DateTime startAt, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = name, StartAt = startAt, Period = period };

    // IReminderTable.ReadRows(begin, end): (begin, end] when begin < end, else (begin, uint.MaxValue] and [0, end].
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}
