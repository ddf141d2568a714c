# The processor. Build from the repository root: docker build -t payouts-bus .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Host/Host.csproj --configuration Release --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# 8080: the HTTP API, webhooks and /dashboard; 5081: the embedded provider sandbox, when enabled.
EXPOSE 8080 5081
ENV Urls=http://0.0.0.0:8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Payouts.Bus.Host.dll"]
