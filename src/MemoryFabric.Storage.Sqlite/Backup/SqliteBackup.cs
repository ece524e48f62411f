using System.Globalization;
using MemoryFabric.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Backup;

/// <summary>Online backups of a <see cref="SqliteActorStore"/>'s database, the checks a backup file passes before it is
/// restored, and the restore into an empty data directory.</summary>
/// <remarks>
/// <para>Why a backup is one consistent snapshot: it is one <c>VACUUM INTO</c> statement run on a connection of its
/// own, and SQLite runs that statement inside one read transaction on the source. In WAL mode a read transaction sees
/// the database as of the last commit before it began (its end mark in the write-ahead log), and nothing committed
/// after; the store's single writer keeps committing to the log meanwhile and a checkpoint never copies past a
/// reader's mark. Every write the store acknowledged had its group-commit transaction committed before its task
/// completed, so a backup started after the acknowledgement holds it. Each write (an append of one batch of turns, a
/// snapshot with its journal compaction, a clear) is one savepoint inside one group transaction, and a read
/// transaction sees a transaction whole or not at all, so no batch is ever half in a backup.</para>
/// <para>Why it does not stall the writer: the backup's connection only reads, WAL readers never block the writer, and
/// the writer never waits for it (a checkpoint that meets the reader stops short and resumes later; the log grows by
/// the writes made during the backup). The cost is I/O and one core for the copy.</para>
/// </remarks>
public static class SqliteBackup
{
    /// <summary>The <c>PRAGMA application_id</c> of a MemoryFabric database ("MFab"). Databases written before it was
    /// stamped have 0 and are recognised by their tables and <c>user_version</c>.</summary>
    public const int ApplicationId = SqliteSchema.ApplicationId;

    /// <summary>The schema version (<c>PRAGMA user_version</c>) this build writes.</summary>
    public const int CurrentSchemaVersion = SqliteSchema.CurrentVersion;

    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    /// <summary>Writes a consistent copy of a live database to a new file and flushes it to disk (see
    /// <see cref="WriteAsync(string, string, bool, CancellationToken)"/>).</summary>
    /// <param name="databasePath">The live database.</param>
    /// <param name="destinationPath">The new file; it must not exist.</param>
    /// <param name="cancellationToken">Interrupts the copy (the partial file is deleted).</param>
    /// <returns>A task that completes when the copy is written and flushed to disk.</returns>
    /// <exception cref="IOException">The destination exists.</exception>
    public static Task WriteAsync(string databasePath, string destinationPath, CancellationToken cancellationToken = default) =>
        WriteAsync(databasePath, destinationPath, flushToDisk: true, cancellationToken);

    /// <summary>Writes a consistent copy of a live database to a new file (<c>VACUUM INTO</c> on a read connection of
    /// its own; see the remarks of <see cref="SqliteBackup"/>). The copy is compact (no free pages), in rollback-journal
    /// mode, with the source's <c>user_version</c>, <c>application_id</c>, page size and auto-vacuum mode.</summary>
    /// <param name="databasePath">The live database.</param>
    /// <param name="destinationPath">The new file; it must not exist.</param>
    /// <param name="flushToDisk">Whether the copy is flushed to disk before the task completes (true: a backup that
    /// must survive a crash); false for a temporary copy that is streamed and deleted, whose flush would only compete
    /// with the store's own commits for the disk.</param>
    /// <param name="cancellationToken">Interrupts the copy (the partial file is deleted).</param>
    /// <returns>A task that completes when the copy is written (and flushed, if asked).</returns>
    /// <exception cref="IOException">The destination exists.</exception>
    public static Task WriteAsync(string databasePath, string destinationPath, bool flushToDisk, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationPath);
        destinationPath = Path.GetFullPath(destinationPath);
        if (File.Exists(destinationPath))
        {
            throw new IOException($"The backup file '{destinationPath}' exists already.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        // A dedicated thread: the statement runs synchronously for as long as the copy takes.
        return Task.Factory.StartNew(
            () => Write(databasePath, destinationPath, flushToDisk, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Checks that a file is a MemoryFabric database this build can open: an SQLite file with MemoryFabric's
    /// <c>application_id</c> (or none, from before it was stamped), a known schema version, the store's tables, and an
    /// <c>integrity_check</c> that passes. Nothing is written to the file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Interrupts the integrity check.</param>
    /// <returns>What the file holds.</returns>
    /// <exception cref="InvalidDataException">It is not such a database, or is damaged, or newer than this build; the
    /// message says which.</exception>
    public static SqliteDatabaseInfo Inspect(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No file '{path}'.", path);
        }

        var length = new FileInfo(path).Length;
        var header = new byte[SqliteMagic.Length];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteMagic))
            {
                throw new InvalidDataException($"'{path}' is not an SQLite database (it does not start with the SQLite header), so not a MemoryFabric backup.");
            }
        }

        if (File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0)
        {
            throw new InvalidDataException(
                $"'{path}' has a write-ahead log beside it ('{Path.GetFileName(path)}-wal'): it is a live database or a copy of one taken while it ran, not a backup. " +
                "Take a backup with `memfab admin backup`.");
        }

        using var connection = OpenReadOnly(path);
        using var interrupt = cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
        int applicationId, version;
        try
        {
            applicationId = Int(connection, "PRAGMA application_id;");
            version = Int(connection, "PRAGMA user_version;");
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{path}' cannot be read as an SQLite database: {e.Message}", e);
        }

        if (applicationId != 0 && applicationId != ApplicationId)
        {
            throw new InvalidDataException(
                $"'{path}' is an SQLite database of another application (application_id 0x{applicationId:X8}), not a MemoryFabric one.");
        }

        if (version > SqliteSchema.CurrentVersion)
        {
            throw new InvalidDataException(
                $"'{path}' has schema version {version}, newer than the {SqliteSchema.CurrentVersion} this version of MemoryFabric supports: " +
                "restore it with the MemoryFabric release that wrote it, or upgrade MemoryFabric.");
        }

        var tables = Int(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('snapshots', 'journal');");
        if (version < 1 || tables != 2)
        {
            throw new InvalidDataException(
                $"'{path}' is not a MemoryFabric database (schema version {version}, {(tables == 2 ? "with" : "without")} the snapshots and journal tables).");
        }

        var problems = new List<string>();
        try
        {
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check(10);";
            using var reader = check.ExecuteReader();
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }
        catch (SqliteException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The integrity check was cancelled.", e, cancellationToken);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{path}' is damaged: {e.Message}", e);
        }

        if (problems is not ["ok"])
        {
            throw new InvalidDataException($"'{path}' is damaged: integrity_check found {string.Join("; ", problems)}");
        }

        return new SqliteDatabaseInfo(
            path,
            version,
            applicationId == ApplicationId,
            length,
            Long(connection, "SELECT count(*) FROM snapshots;"),
            Long(connection, "SELECT count(*) FROM journal;"),
            Long(connection, "SELECT count(*) FROM (SELECT actor_key FROM snapshots WHERE actor_type = 'agent' UNION SELECT actor_key FROM journal WHERE actor_type = 'agent');"));
    }

    /// <summary>Restores a backup into an empty (or missing) data directory: checks the file (<see cref="Inspect"/>)
    /// before anything is written, copies it to a temporary name in the directory, flushes it to disk, and renames it
    /// to the database's name, so that a restore interrupted half-way leaves no database a server would open.</summary>
    /// <param name="backupFile">The backup (from <see cref="WriteAsync(string, string, CancellationToken)"/>, <c>memfab admin backup</c>, or a database
    /// copied while no server ran).</param>
    /// <param name="dataDirectory">The data directory: missing or empty.</param>
    /// <param name="fileName">The database's file name in it (<see cref="SqliteActorStoreOptions.FileName"/>).</param>
    /// <param name="progress">Gets the bytes copied so far.</param>
    /// <param name="cancellationToken">Stops the restore (the partial file is deleted).</param>
    /// <returns>What was restored.</returns>
    /// <exception cref="InvalidDataException">The file is not a MemoryFabric database this build can open.</exception>
    /// <exception cref="InvalidOperationException">The directory is not empty, or is a file.</exception>
    /// <exception cref="DataDirectoryInUseException">Another process holds the directory.</exception>
    public static async Task<SqliteDatabaseInfo> RestoreAsync(
        string backupFile,
        string dataDirectory,
        string fileName = "memoryfabric.db",
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        dataDirectory = Path.GetFullPath(dataDirectory);
        EnsureEmptyDirectory(dataDirectory);
        var info = Inspect(backupFile, cancellationToken);
        // The directory's lock for the copy: no server (nor a second restore) opens it half-restored. It leaves the
        // lock's own files behind, as every owner of a data directory does.
        using var directoryLock = DataDirectoryLock.Acquire(dataDirectory);
        EnsureEmptyDirectory(dataDirectory, DataDirectoryLock.FileName, DataDirectoryLock.OwnerFileName);
        var target = Path.Combine(dataDirectory, fileName);
        var partial = target + ".restoring";
        try
        {
            await CopyAsync(info.Path, partial, progress, cancellationToken).ConfigureAwait(false);
            File.Move(partial, target);
        }
        catch
        {
            TryDelete(partial);
            throw;
        }

        return info with { Path = target };
    }

    /// <summary>Copies a file and flushes the copy to disk.</summary>
    /// <param name="source">The file.</param>
    /// <param name="destination">The copy (created; must not exist).</param>
    /// <param name="progress">Gets the bytes copied so far.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>A task that completes when the copy is on disk.</returns>
    public static async Task CopyAsync(string source, string destination, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                long copied = 0;
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    copied += read;
                    progress?.Report(copied);
                }

                output.Flush(flushToDisk: true);
            }
        }
    }

    /// <summary>Refuses a data directory that holds anything (but the files named).</summary>
    /// <param name="dataDirectory">The directory.</param>
    /// <param name="allowed">File names that do not count.</param>
    /// <exception cref="InvalidOperationException">It is a file, or not empty.</exception>
    public static void EnsureEmptyDirectory(string dataDirectory, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (File.Exists(dataDirectory))
        {
            throw new InvalidOperationException($"'{dataDirectory}' is a file, not a directory: restore into an empty or new directory.");
        }

        if (Directory.Exists(dataDirectory)
            && Directory.EnumerateFileSystemEntries(dataDirectory).FirstOrDefault(e => !allowed.Contains(Path.GetFileName(e), StringComparer.Ordinal)) is { } entry)
        {
            throw new InvalidOperationException(
                $"The data directory '{dataDirectory}' is not empty (it holds '{Path.GetFileName(entry)}'): restore only into an empty or new directory, never over a store.");
        }
    }

    private static void Write(string databasePath, string destinationPath, bool flushToDisk, CancellationToken cancellationToken)
    {
        var partial = destinationPath + ".partial";
        TryDelete(partial);
        try
        {
            using (var connection = OpenSource(databasePath))
            using (cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle)))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "VACUUM INTO $destination;";
                command.Parameters.AddWithValue("$destination", partial);
                command.CommandTimeout = 0;
                try
                {
                    command.ExecuteNonQuery();
                }
                catch (SqliteException e) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The backup was cancelled.", e, cancellationToken);
                }
            }

            if (flushToDisk)
            {
                // SQLite does not sync the file VACUUM INTO writes.
                using var written = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                written.Flush(flushToDisk: true);
            }

            File.Move(partial, destinationPath);
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
    }

    // A connection of the backup's own, never one of the store's reader threads: the copy may take seconds.
    private static SqliteConnection OpenSource(string databasePath)
    {
        _ = NativeLibrary.Value;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite, // the shared-memory index of the WAL is opened for writing, as the store's readers do
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            SqliteConnections.Execute(connection, "PRAGMA busy_timeout=5000;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static SqliteConnection OpenReadOnly(string path)
    {
        _ = NativeLibrary.Value;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidDataException($"'{path}' cannot be opened as an SQLite database: {e.Message}", e);
        }
    }

    private static int Int(SqliteConnection connection, string sql) =>
        Convert.ToInt32(SqliteConnections.Scalar(connection, sql), CultureInfo.InvariantCulture);

    private static long Long(SqliteConnection connection, string sql) =>
        Convert.ToInt64(SqliteConnections.Scalar(connection, sql), CultureInfo.InvariantCulture);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
