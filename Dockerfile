# The processor, and the provider sandbox as a second target. From the repository root:
#   docker build -t payouts-bus .                      the processor
#   docker build --target sandbox -t payouts-sandbox .  the sandbox
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Host/Host.csproj --configuration Release --output /app \
 && dotnet publish src/Sandbox.Host/Sandbox.Host.csproj --configuration Release --output /sandbox

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS sandbox
WORKDIR /app
COPY --from=build /sandbox .
EXPOSE 5081
USER $APP_UID
ENTRYPOINT ["dotnet", "Payouts.Bus.Sandbox.Host.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS processor
WORKDIR /app
COPY --from=build /app .
# 8080: the HTTP API, webhooks, /dashboard and /metrics.
EXPOSE 8080
ENV Urls=http://0.0.0.0:8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Payouts.Bus.Host.dll"]
