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
/// in ticks, or one more than the last ETag issued when that is later. Reminder writes are rare (a handful per
/// agent), so the table keeps one connection of its own, used one call at a time, beside the store's group-commit
/// writer.
/// </summary>
public sealed class SqliteReminderTable : IReminderTable, IDisposable
{
    private readonly SqliteConnections _connections;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private long _lastETag;

    /// <summary>Creates the table over the database of a <see cref="SqliteActorStore"/> (which creates the schema).</summary>
    /// <param name="store">The store whose database holds the reminders.</param>
    /// <param name="busyTimeout">How long a write waits for the store's writer to release the database.</param>
    public SqliteReminderTable(SqliteActorStore store, TimeSpan? busyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _connections = new SqliteConnections(store.DatabasePath, busyTimeout ?? TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    public Task Init() => Task.CompletedTask;

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        RunAsync(c => new ReminderTableData(Query(c, "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_id = $grain;", ("$grain", grainId.ToString()))));

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => RunAsync(c =>
    {
        // Orleans' ring ranges: (begin, end], wrapping past uint.MaxValue when begin >= end.
        var sql = begin < end
            ? "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_hash > $begin AND grain_hash <= $end;"
            : "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_hash > $begin OR grain_hash <= $end;";
        return new ReminderTableData(Query(c, sql, ("$begin", (long)begin), ("$end", (long)end)));
    });

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => RunAsync<ReminderEntry?>(c =>
        Query(c, "SELECT grain_id, name, start_at_ticks, period_ticks, etag FROM orleans_reminders WHERE grain_id = $grain AND name = $name;", ("$grain", grainId.ToString()), ("$name", reminderName))
            .FirstOrDefault());

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return RunAsync<string?>(c =>
        {
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
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RunAsync(c =>
    {
        if (!long.TryParse(eTag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var etag))
        {
            return false;
        }

        using var command = Command(c, "DELETE FROM orleans_reminders WHERE grain_id = $grain AND name = $name AND etag = $etag;", ("$grain", grainId.ToString()), ("$name", reminderName), ("$etag", etag));
        return command.ExecuteNonQuery() > 0;
    });

    /// <inheritdoc />
    public Task TestOnlyClearTable() => RunAsync(c =>
    {
        using var command = Command(c, "DELETE FROM orleans_reminders;");
        return command.ExecuteNonQuery();
    });

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        _gate.Dispose();
    }

    private async Task<T> RunAsync<T>(Func<SqliteConnection, T> operation)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                _connection = _connections.OpenWriter();

                // Go on above the ETags stored, should the clock have gone back since they were written.
                _lastETag = Convert.ToInt64(SqliteConnections.Scalar(_connection, "SELECT COALESCE(MAX(etag), 0) FROM orleans_reminders;"), CultureInfo.InvariantCulture);
            }

            return operation(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static List<ReminderEntry> Query(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var entries = new List<ReminderEntry>();
        while (reader.Read())
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
