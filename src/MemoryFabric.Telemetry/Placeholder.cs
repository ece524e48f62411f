namespace MemoryFabric.Telemetry;
