use super::*;

fn accept(value: &str) -> Option<MediaType> {
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_str(value).expect("header"));
    negotiate(&headers)
}

#[test]
fn negotiation_follows_the_accept_header() {
    use MediaType::*;
    assert_eq!(negotiate(&HeaderMap::new()), Some(Json));
    assert_eq!(accept("application/json"), Some(Json));
    assert_eq!(accept("application/graphql-response+json"), Some(GraphqlResponseJson));
    assert_eq!(accept("*/*"), Some(Json));
    assert_eq!(accept("application/*"), Some(Json));
    assert_eq!(
        accept("application/graphql-response+json, application/json;q=0.9"),
        Some(GraphqlResponseJson)
    );
    assert_eq!(
        accept("application/json;q=0.9, application/graphql-response+json"),
        Some(GraphqlResponseJson)
    );
    assert_eq!(
        accept("application/json, application/graphql-response+json"),
        Some(Json)
    );
    assert_eq!(accept("Application/JSON; charset=UTF-8"), Some(Json));
    assert_eq!(accept("text/html, */*;q=0.1"), Some(Json));
    assert_eq!(accept("text/html"), None);
    assert_eq!(accept("application/json;q=0"), None);
    assert_eq!(accept("application/json; charset=latin1"), None);
    assert_eq!(accept("application/xml"), None);
}
