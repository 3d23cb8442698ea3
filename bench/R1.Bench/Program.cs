// Stand-alone entry to the benchmarks: `dotnet run -c Release --project bench/R1.Bench -- sgemm`.
return R1.Cli.Bench.BenchCommand.Run(args);
