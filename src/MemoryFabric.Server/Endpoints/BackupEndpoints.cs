using System.Globalization;
using System.Runtime.CompilerServices;
using MemoryFabric.Server.Http;
using MemoryFabric.Storage.Sqlite;
using MemoryFabric.Storage.Sqlite.Backup;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Endpoints;

/// <summary><c>POST /v1/admin/backup</c>: a consistent online backup of the embedded store, streamed.</summary>
internal static class BackupEndpoints
{
    /// <summary>The media type of a backup: the SQLite database file itself.</summary>
    public const string MediaType = "application/octet-stream";

    /// <summary>The response header that carries the backup's schema version.</summary>
    public const string SchemaVersionHeader = "X-MemoryFabric-Schema-Version";

    private const string TempPrefix = "backup-";
    private const string TempSuffix = ".tmp";
    private const int SqliteFull = 13; // SQLITE_FULL

    // One backup at a time per store: a second is refused (409) rather than doubling the I/O.
    private static readonly ConditionalWeakTable<SqliteActorStore, SemaphoreSlim> Running = [];

    /// <summary>Maps the route on the admin group.</summary>
    /// <param name="admin">The <c>/v1/admin</c> group (admin scope).</param>
    public static void MapBackupEndpoint(this RouteGroupBuilder admin)
    {
        admin.MapPost("/backup", (Delegate)BackupAsync)
            .WithSummary("Streams a consistent online backup of the embedded store (an SQLite database file) while writes go on; "
                + "restore it with `memfab admin restore`. 501 in cluster and in-memory modes.")
            .Produces(StatusCodes.Status200OK, contentType: MediaType);
    }

    private static async Task<IResult> BackupAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
        var store = context.RequestServices.GetService<SqliteActorStore>();
        if (options.Mode == ServerMode.Cluster || store is null)
        {
            var detail = options.Mode == ServerMode.Cluster
                ? "This server is a silo of a cluster: its state is in Azure Storage, not in a file this server could copy. Back up the storage "
                    + "account instead (blob soft delete and snapshots or Azure Backup for blobs, a table export for the tables); see the README, "
                    + "'Operations'. One tenant's agents move with `memfab export`/`memfab import`."
                : "This server keeps everything in memory (MemoryFabric:InMemory): there is no store on disk to back up. "
                    + "One agent's memory can be exported with GET /v1/agents/{agent}/export.";
            return Problems.Result(context, StatusCodes.Status501NotImplemented, "backup-unsupported", "No backup in this mode", detail);
        }

        var gate = Running.GetValue(store, static _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(0, context.RequestAborted).ConfigureAwait(false))
        {
            return Problems.Result(context, StatusCodes.Status409Conflict, "backup-running", "A backup is running",
                "Another backup of this store is being written; retry when it has finished.");
        }

        var directory = Path.GetDirectoryName(store.DatabasePath)!;
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            DeleteLeftovers(directory); // of a server killed during a backup; none runs now (the gate is held)
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackupEndpoints));
            var time = context.RequestServices.GetRequiredService<TimeProvider>();
            var started = time.GetTimestamp();
            try
            {
                // Streamed and deleted: no fsync of it to compete with the store's commits for the disk.
                await store.BackupAsync(temp, flushToDisk: false, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == SqliteFull)
            {
                return Problems.Result(context, StatusCodes.Status507InsufficientStorage, "backup-no-space", "No space for the backup",
                    $"The backup's temporary copy (about the size of the database) does not fit in '{directory}'; it was deleted, and the store is unchanged. "
                    + "Free space there, or copy the data directory of a stopped server instead.");
            }

            var length = new FileInfo(temp).Length;
            var elapsed = time.GetElapsedTime(started);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Backup of {Database} written ({Bytes} bytes) in {Elapsed}; streaming it", store.DatabasePath, length, elapsed);
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = MediaType;
            response.ContentLength = length;
            response.Headers.ContentDisposition =
                $"attachment; filename=\"memoryfabric-{time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.db\"";
            response.Headers[SchemaVersionHeader] = SqliteBackup.CurrentSchemaVersion.ToString(CultureInfo.InvariantCulture);
            response.Headers.CacheControl = "no-store";
            var file = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                await file.CopyToAsync(response.Body, 1 << 20, context.RequestAborted).ConfigureAwait(false);
            }

            return Results.Empty;
        }
        finally
        {
            TryDelete(temp);
            gate.Release();
        }
    }

    private static void DeleteLeftovers(string directory)
    {
        foreach (var leftover in Directory.EnumerateFiles(directory, TempPrefix + "*" + TempSuffix + "*"))
        {
            TryDelete(leftover);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            File.Delete(path + ".partial");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
