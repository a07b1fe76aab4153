// Public surface of @flowscope/fulfilment: the order-fulfilment domain's shared pieces that are not
// transport (those live in @flowscope/messaging).
export { OrderLookup, OrderLookupModule, ORDERS_BUCKET } from './order-lookup';
