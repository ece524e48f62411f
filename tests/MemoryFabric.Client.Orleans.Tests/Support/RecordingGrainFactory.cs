using System.Reflection;
using Orleans;

namespace MemoryFabric.Client.Orleans.Tests.Support;

/// <summary>An <see cref="IGrainFactory"/> that records every use and refuses it: proof that a call was refused
/// before any grain was reached.</summary>
public class RecordingGrainFactory : DispatchProxy
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls => _calls;

    public static (IGrainFactory Factory, RecordingGrainFactory Recorder) Create()
    {
        var factory = DispatchProxy.Create<IGrainFactory, RecordingGrainFactory>();
        return (factory, (RecordingGrainFactory)(object)factory);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        _calls.Add(targetMethod?.Name ?? "?");
        throw new InvalidOperationException($"No grain may be reached ({targetMethod?.Name}).");
    }
}
