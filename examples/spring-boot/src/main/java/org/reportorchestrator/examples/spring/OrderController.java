package org.reportorchestrator.examples.spring;

import java.net.URI;
import org.reportorchestrator.JobId;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders}: stores an order and queues its invoice together, answering 201 with the
 * invoice job's location; 409 for an order number that is taken. Thread-safe.
 */
@RestController
class OrderController {

  private final OrderService orders;

  OrderController(OrderService orders) {
    this.orders = orders;
  }

  @PostMapping("/orders")
  ResponseEntity<OrderService.PlacedOrder> place(@RequestBody OrderService.Order order) {
    OrderService.PlacedOrder placed = orders.place(order);
    return ResponseEntity.created(
            URI.create(ReportController.location(JobId.parse(placed.invoiceJob()))))
        .body(placed);
  }

  @ExceptionHandler(DuplicateKeyException.class)
  ResponseEntity<ProblemDetail> taken(DuplicateKeyException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT)
        .body(
            ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT, "the order number is taken; nothing was stored"));
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<ProblemDetail> badOrder(IllegalArgumentException e) {
    return ResponseEntity.badRequest()
        .body(
            ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST, String.valueOf(e.getMessage())));
  }
}
