using System.Globalization;
using MemoryFabric.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Reminders;

/// <summary>
/// Orleans' reminder table (<see cref="IReminderTable"/>) in the embedded server's SQLite database (table
/// <c>orleans_reminders</c>), so that reminders survive a restart without any external service: a consolidation due
/// while the server was down fires after it starts again. Each row has an integer ETag, new on every write; a stale
/// ETag makes a removal fail, as Orleans expects. ETags are never reused, not even by a reminder removed and
/// registered again (an ETag from before the removal must not match the new row): each write takes the current time
/// in ticks, or one more than the last ETag issued when that is later. Writes go through the store's group-commit
/// writer, inside the transaction of the appends committed with them (a connection of its own would take the
/// database's write lock and an fsync per reminder, stalling every append meanwhile); reads use its read pool.
/// </summary>
public sealed class SqliteReminderTable : IReminderTable
{
    private readonly SqliteActorStore _store;
    private long _lastETag = -1; // only touched by the store's writer thread; -1 until read from the table

    /// <summary>Creates the table over the database of a <see cref="SqliteActorStore"/> (which creates the schema).</summary>
    /// <param name="store">The store whose database holds the reminders.</param>
    public SqliteReminderTable(SqliteActorStore store)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
    }

    /// <inheritdoc />
    public Task Init() => Task.CompletedTask;

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        _store.ReadAsync(async (c, ct) => new ReminderTableData(await QueryAsync(c, "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_id = $grain;", [("$grain", grainId.ToString())], ct).ConfigureAwait(false)));

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => _store.ReadAsync(async (c, ct) =>
    {
        // Orleans' ring ranges: (begin, end], wrapping past uint.MaxValue when begin >= end.
        var sql = begin < end
            ? "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_hash > $begin AND grain_hash <= $end;"
            : "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_hash > $begin OR grain_hash <= $end;";
        return new ReminderTableData(await QueryAsync(c, sql, [("$begin", (long)begin), ("$end", (long)end)], ct).ConfigureAwait(false));
    });

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => _store.ReadAsync<ReminderEntry?>(async (c, ct) =>
        (await QueryAsync(c, "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_id = $grain AND name = $name;", [("$grain", grainId.ToString()), ("$name", reminderName)], ct).ConfigureAwait(false))
            .FirstOrDefault());

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _store.WriteAsync<string?>(c =>
        {
            if (_lastETag < 0)
            {
                // Go on above the ETags stored, should the clock have gone back since they were written.
                _lastETag = Convert.ToInt64(SqliteConnections.Scalar(c, "SELECT COALESCE(MAX(etag), 0) FROM orleans_reminders;"), CultureInfo.InvariantCulture);
            }

            // Not "etag + 1" from 1: a row removed and inserted again would get the ETags it had before.
            using var command = Command(
                c,
                """
                INSERT INTO orleans_reminders (grain_id, name, grain_hash, start_at_ticks, period_ticks, etag)
                VALUES ($grain, $name, $hash, $start, $period, $etag)
                ON CONFLICT (grain_id, name) DO UPDATE SET start_at_ticks = excluded.start_at_ticks, period_ticks = excluded.period_ticks, etag = max(etag + 1, excluded.etag)
                RETURNING etag;
                """,
                ("$grain", entry.GrainId.ToString()),
                ("$name", entry.ReminderName),
                ("$hash", (long)entry.GrainId.GetUniformHashCode()),
                ("$start", DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc).Ticks),
                ("$period", entry.Period.Ticks),
                ("$etag", Math.Max(DateTime.UtcNow.Ticks, _lastETag + 1)));
            var etag = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            _lastETag = Math.Max(_lastETag, etag);
            return etag.ToString(CultureInfo.InvariantCulture);
        });
    }

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => _store.WriteAsync(c =>
    {
        if (!long.TryParse(eTag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var etag))
        {
            return false;
        }

        using var command = Command(c, "DELETE FROM orleans_reminders WHERE grain_id = $grain AND name = $name AND etag = $etag;", ("$grain", grainId.ToString()), ("$name", reminderName), ("$etag", etag));
        return command.ExecuteNonQuery() > 0;
    });

    /// <inheritdoc />
    public Task TestOnlyClearTable() => _store.WriteAsync(c =>
    {
        using var command = Command(c, "DELETE FROM orleans_reminders;");
        return command.ExecuteNonQuery();
    });

    private static async Task<List<ReminderEntry>> QueryAsync(SqliteConnection connection, string sql, (string Name, object Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
            });
        }

        return entries;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
