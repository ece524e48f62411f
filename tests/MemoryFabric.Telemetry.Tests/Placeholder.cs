namespace MemoryFabric.Telemetry.Tests;
