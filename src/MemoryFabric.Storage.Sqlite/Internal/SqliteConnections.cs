using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>Opens connections to the database file with the store's settings.</summary>
internal sealed class SqliteConnections
{
    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    /// <summary>Prepares connections to a database file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="busyTimeout">How long to wait for another process's lock.</param>
    public SqliteConnections(string path, TimeSpan busyTimeout)
    {
        _ = NativeLibrary.Value;
        Path = path;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens the writer connection: WAL, <c>synchronous=FULL</c> (a commit is on disk when it returns),
    /// <c>secure_delete=ON</c> (deleted content is zeroed).</summary>
    /// <returns>The connection.</returns>
    public SqliteConnection OpenWriter()
    {
        var connection = Open();
        try
        {
            var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode=WAL;"), System.Globalization.CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"The SQLite database '{Path}' could not be switched to WAL mode (it is in '{mode}' mode); is it on a file system without shared memory support?");
            }

            // secure_delete: deleted rows and freed pages are overwritten with zeros, so a purged journal entry or a
            // replaced snapshot leaves no bytes behind in the file (the WAL is emptied by CheckpointOperation).
            Execute(connection, "PRAGMA synchronous=FULL; PRAGMA journal_size_limit=67108864; PRAGMA cache_size=-32768; PRAGMA secure_delete=ON;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens a read connection (it refuses writes).</summary>
    /// <returns>The connection.</returns>
    public SqliteConnection OpenReader()
    {
        var connection = Open();
        try
        {
            Execute(connection, "PRAGMA query_only=1;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="sql">The statement(s).</param>
    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query for one value.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="sql">The query.</param>
    /// <returns>The value.</returns>
    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={_busyTimeoutMs};");
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InvalidOperationException($"Cannot open the SQLite database '{Path}': {ex.Message}", ex);
        }
    }
}
