using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Orleans.Hosting;

/// <summary>Lets a grain activation wait for the host's later services (the server's embedder starts after the silo,
/// which joins the cluster first) when <see cref="MemoryFabricSiloOptions.ActivateAfterHostStarted"/> is set.</summary>
internal static class HostStartup
{
    /// <summary>Completes when the host has started, at once when the option is off or there is no host.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="cancellationToken">Cancels the wait (the activation is abandoned).</param>
    /// <returns>A task.</returns>
    public static async Task WaitAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetService<IOptions<MemoryFabricSiloOptions>>()?.Value;
        if (options is not { ActivateAfterHostStarted: true }
            || services.GetService<IHostApplicationLifetime>() is not { } lifetime
            || lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (cancellationToken.Register(() => started.TrySetCanceled(cancellationToken)))
        {
            await started.Task;
        }
    }
}
